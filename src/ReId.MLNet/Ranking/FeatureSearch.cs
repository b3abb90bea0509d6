using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using ReId.MLNet.Features;
using ReId.MLNet.Visualization;

namespace ReId.MLNet.Ranking;

/// <summary>
/// Exact top-k search between two feature files (what <c>reid search</c> runs): float32 <c>.npy</c> queries and gallery in,
/// int64 [Nq, K] gallery row indices and float32 [Nq, K] distances out (<c>.npy</c>, best first), optionally a rank-list picture
/// when the sidecar CSVs name image files.
/// </summary>
public static class FeatureSearch
{
    /// <summary>The distances file written beside an indices file: <c>IDX.npy</c> → <c>IDX.distances.npy</c>.</summary>
    public static string DistancesPath(string indicesPath) => Path.ChangeExtension(indicesPath, null) + ".distances.npy";

    /// <summary>Searches in memory: <paramref name="queries"/> [nq, dim] against <paramref name="gallery"/> [ng, dim], both row-major.</summary>
    public static GallerySearchResult Search(ReadOnlySpan<float> queries, ReadOnlySpan<float> gallery, int dim, FeatureSearchOptions? options = null)
    {
        options ??= new FeatureSearchOptions();
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), options.TopK, "TopK must be at least 1");
        if (dim < 1 || gallery.Length % dim != 0) throw new ArgumentException($"{gallery.Length} gallery values are not whole rows of {dim}");
        using var index = NewIndex(dim, options);
        index.Add(gallery, RowNumbers(gallery.Length / dim));
        return index.Search(queries, options.TopK);
    }

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, ReadOnlySpan{float}, int, FeatureSearchOptions?)"/>, handing the gallery array over to the index (no copy; it is normalised in place).</summary>
    private static GallerySearchResult SearchOwned(float[] queries, float[] gallery, int dim, FeatureSearchOptions options)
    {
        using var index = NewIndex(dim, options);
        index.AddOwned(gallery, RowNumbers(gallery.Length / dim));
        return index.Search(queries, options.TopK);
    }

    private static GalleryIndex NewIndex(int dim, FeatureSearchOptions options) =>
        new(dim, options.Metric) { Threads = options.Threads, Storage = options.Storage, GpuDeviceId = options.GpuDeviceId };

    private static int[] RowNumbers(int count)
    {
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = i;
        return ids;
    }

    /// <summary>
    /// Reads both files, searches and writes <paramref name="indicesPath"/> and <see cref="DistancesPath"/> atomically. Bad input
    /// (missing or malformed files, different widths, non-finite values, missing sidecars for a rank list) throws an error
    /// naming the file.
    /// </summary>
    public static FeatureSearchSummary SearchFiles(string queryPath, string galleryPath, string indicesPath, FeatureSearchOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queryPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(galleryPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(indicesPath);
        options ??= new FeatureSearchOptions();
        if (options.TopK < 1) throw new ArgumentException($"top-k must be at least 1 (got {options.TopK})", nameof(options));
        if (!indicesPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"output '{indicesPath}' must end in .npy");
        var clock = Stopwatch.StartNew();
        var (q, nq, qDim) = NpyFile.Read(queryPath);
        var (g, ng, gDim) = NpyFile.Read(galleryPath);
        if (qDim != gDim)
            throw new InvalidDataException($"'{galleryPath}' has {gDim} values a row but '{queryPath}' has {qDim}; query and gallery features must have the same width");
        if (ng == 0) throw new InvalidDataException($"'{galleryPath}' holds no gallery rows");
        // NpyFile.Read has already refused non-finite values, naming the file, row and column.
        double read = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var result = SearchOwned(q, g, qDim, options);
        double search = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var indices = new long[result.Indices.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = result.Indices[i];
        string distancesPath = DistancesPath(indicesPath);
        NpyInt64File.Write(indicesPath, indices, nq, result.K);
        NpyFile.Write(distancesPath, result.Distances, nq, result.K);
        if (options.RankListPath is { } picture)
            DrawRankList(picture, queryPath, galleryPath, result, options);
        double write = clock.Elapsed.TotalSeconds;
        return new FeatureSearchSummary(nq, ng, qDim, result.K, options.Metric.ToString().ToLowerInvariant(), indicesPath, distancesPath,
            options.RankListPath, read, search, write);
    }

    /// <summary>The first queries with their top-k, framed green where the sidecar identities agree.</summary>
    private static void DrawRankList(string picture, string queryPath, string galleryPath, GallerySearchResult result, FeatureSearchOptions options)
    {
        var (qPaths, qIds) = ReadSidecar(queryPath);
        var (gPaths, gIds) = ReadSidecar(galleryPath);
        if (qPaths.Length != result.Queries)
            throw new InvalidDataException($"'{FeatureFile.SidecarPath(queryPath)}' lists {qPaths.Length} images but '{queryPath}' has {result.Queries} rows");
        int shown = Math.Min(Math.Max(1, options.RankListQueries), result.Queries), k = Math.Min(Math.Max(1, options.RankListTopK), result.K);
        var entries = new List<RankListEntry>(shown);
        for (int i = 0; i < shown; i++)
        {
            var top = result.IndicesOf(i)[..k].ToArray().Where(j => j >= 0).ToArray();
            if (top.Any(j => j >= gPaths.Length))
                throw new InvalidDataException($"'{FeatureFile.SidecarPath(galleryPath)}' lists {gPaths.Length} images but '{galleryPath}' has more rows");
            entries.Add(new RankListEntry(qPaths[i], [.. top.Select(j => gPaths[j])], [.. top.Select(j => gIds[j] == qIds[i])]));
        }
        RankListGrid.SavePng(picture, entries);
    }

    /// <summary>Image paths (resolved against the sidecar's folder when relative and not found from here) and identities.</summary>
    private static (string[] Paths, int[] Identities) ReadSidecar(string npyPath)
    {
        string csv = FeatureFile.SidecarPath(npyPath);
        if (!File.Exists(csv))
            throw new FileNotFoundException($"a rank list needs the sidecar '{csv}' of '{npyPath}' (path,identity,camera rows naming the images)", csv);
        var set = FeatureFile.Read(npyPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(npyPath))!;
        var paths = set.Paths.Select(p => Path.IsPathRooted(p) || File.Exists(p) ? p : Path.Combine(folder, p)).ToArray();
        foreach (var p in paths.Where(p => !File.Exists(p)).Take(1))
            throw new FileNotFoundException($"image '{p}' named in '{csv}' does not exist", p);
        return (paths, set.Identities);
    }
}
