using System.Diagnostics;
using System.Globalization;

namespace ReId.MLNet.Tests.Fuzzing;

/// <summary>
/// Runs a reader over many mutated inputs and collects every outcome that is not "read fine" or "the reader's own exception
/// naming the file": any other exception type (IndexOutOfRange, Overflow, NullReference, OutOfMemory …), a message without the
/// file, a run longer than <see cref="TimeLimit"/> (a hang), or more managed allocation than the stated bound.
/// </summary>
/// <remarks>
/// The count comes from REID_FUZZ_COUNT (default <see cref="DefaultCount"/>, so the normal suite takes seconds); REID_FUZZ_SEED
/// changes the seed. With REID_FUZZ_REPORT set to a file, one line per reader (inputs, read fine, refused, failures) is appended.
/// </remarks>
public static class FuzzRunner
{
    public const int DefaultCount = 300;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    public static int Count => int.TryParse(Environment.GetEnvironmentVariable("REID_FUZZ_COUNT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultCount;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("REID_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 20261202;

    /// <summary>
    /// For i in 0..Count: <paramref name="prepare"/> writes the i-th mutated input (from its own seeded Random) and returns the path
    /// an error must name; <paramref name="read"/> reads it. <paramref name="allocationBound"/> maps the input's size on disk to the
    /// most managed bytes the read may allocate.
    /// </summary>
    public static void Run(string reader, Func<Random, string> prepare, Action read, Func<Exception, bool> ownError,
        Func<long, long> allocationBound, Func<long>? inputSize = null)
    {
        int count = Count, seed = Seed, fine = 0, refused = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var rng = new Random(HashCode.Combine(seed, i));
            string mustName = prepare(rng);
            long size = inputSize?.Invoke() ?? (File.Exists(mustName) ? new FileInfo(mustName).Length : 0);
            Exception? error = null;
            long allocated = 0;
            var task = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { read(); }
                catch (Exception e) { error = e; }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!task.Wait(TimeLimit))
            {
                failures.Add($"#{i}: no answer within {TimeLimit.TotalSeconds} s (hang)");
                break; // the reader is still running on its thread; stop here
            }
            if (error is null) fine++;
            else if (ownError(error) && error.Message.Contains(mustName, StringComparison.Ordinal)) refused++;
            else failures.Add($"#{i}: {error.GetType().Name}: {error.Message}{(ownError(error) ? $" (does not name '{mustName}')" : "")}\n{error.StackTrace}");
            if (allocated > allocationBound(size))
                failures.Add($"#{i}: allocated {allocated:N0} bytes for a {size:N0}-byte input (bound {allocationBound(size):N0})");
        }
        string summary = $"{reader}: {count} inputs (seed {seed}), {fine} read fine, {refused} refused with the reader's error, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s";
        if (Environment.GetEnvironmentVariable("REID_FUZZ_REPORT") is { Length: > 0 } report)
            File.AppendAllText(report, summary + Environment.NewLine + string.Join(Environment.NewLine, failures.Take(20).Select(f => "  " + f.Split('\n')[0])) + (failures.Count > 0 ? Environment.NewLine : ""));
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(10)));
    }
}
