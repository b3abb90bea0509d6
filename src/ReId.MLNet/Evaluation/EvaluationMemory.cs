using System.Globalization;

namespace ReId.MLNet.Evaluation;

/// <summary>
/// How much memory an evaluation needs, how much the machine has, and the refusal — before anything large is allocated — of a
/// job that cannot fit, so a too-large evaluation fails in a second with a clear message instead of after minutes in swap or
/// with an OutOfMemoryException.
/// </summary>
/// <remarks>
/// The estimate follows what <see cref="FeatureEvaluation"/> allocates, all float32: the query and gallery features are copied
/// for the distance computation (4·(q+g)·d bytes); the q×g distance matrix exists twice while it is ranked (8·q·g). Re-ranking adds
/// the q×q and g×g matrices (4·q² + 4·g²), the dense (q+g)² working matrix of <c>KReciprocalReranker</c> (4·(q+g)²) and its q×g
/// result (4·q·g), plus its sparse rows (about 64·k1 bytes per row). So re-ranking is about 8·(q+g)² bytes: 2.6 GB at
/// q+g = 18,000 (measured peak 2.8 GiB at 3,000 + 15,000), 13 GB at 40,000. Available memory is the smaller of the GC's limit
/// (physical memory or the container's limit) and MemAvailable in /proc/meminfo; the environment variable REID_MEMORY_LIMIT
/// (bytes, or with a K/M/G/T suffix) replaces it, for tests and for machines where the guess is wrong.
/// </remarks>
public static class EvaluationMemory
{
    /// <summary>Environment variable that overrides the available memory.</summary>
    public const string LimitVariable = "REID_MEMORY_LIMIT";

    private static readonly AsyncLocal<long?> TestLimit = new();

    /// <summary>An available-memory figure for the current flow only (tests running in parallel must not see each other's limit).</summary>
    internal static long? LimitOverride
    {
        get => TestLimit.Value;
        set => TestLimit.Value = value;
    }

    /// <summary>Bytes <see cref="FeatureEvaluation.Evaluate"/> needs for these sizes and options (an upper estimate).</summary>
    public static long EstimateBytes(long numQuery, long numGallery, long dim, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long n = numQuery + numGallery;
        long bytes = 4 * n * dim + 8 * numQuery * numGallery + 8L * numQuery * options.MaxRank;
        if (options.Rerank)
            bytes += 4 * numQuery * numQuery + 4 * numGallery * numGallery + 4 * n * n + 4 * numQuery * numGallery + 64L * Math.Max(1, options.K1) * n;
        return bytes;
    }

    /// <summary>Memory this process can still use: REID_MEMORY_LIMIT if set, else min(GC limit − managed heap, MemAvailable).</summary>
    public static long AvailableBytes()
    {
        if (LimitOverride is { } limit) return limit;
        if (Environment.GetEnvironmentVariable(LimitVariable) is { Length: > 0 } text)
            return ParseSize(text) ?? throw new ArgumentException($"{LimitVariable}='{text}' is not a size (bytes, or a number with K, M, G or T)");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false);
        if (MemAvailable() is { } free) available = Math.Min(available, free);
        return Math.Max(0, available);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> saying what the job needs and what is available when it cannot fit.</summary>
    public static void EnsureFits(long numQuery, long numGallery, long dim, EvaluationOptions options)
    {
        long needed = EstimateBytes(numQuery, numGallery, dim, options);
        long available = AvailableBytes();
        if (needed <= available) return;
        string what = options.Rerank ? "with k-reciprocal re-ranking (about 8·(q+g)² bytes)" : "(about 8·q·g bytes for the distance matrix)";
        string advice = options.Rerank ? "evaluate without re-ranking, split the query set, or" : "split the query set, or";
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"evaluating {numQuery:N0} queries against {numGallery:N0} gallery items {what} needs about {Format(needed)}, but only {Format(available)} " +
            $"of memory is available; {advice} raise the limit with {LimitVariable} if more memory really is free"));
    }

    /// <summary>Parses "123", "512M", "1.5G", "2GiB" (powers of 1024).</summary>
    internal static long? ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant().Replace("IB", "").Replace("B", "");
        long scale = 1;
        if (t.Length > 0 && "KMGT".IndexOf(t[^1]) is var p and >= 0)
        {
            scale = 1L << (10 * (p + 1));
            t = t[..^1];
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v * scale < long.MaxValue ? (long)(v * scale) : null;
    }

    private static long? MemAvailable()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                    return kb * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static string Format(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F0} MiB");
}
