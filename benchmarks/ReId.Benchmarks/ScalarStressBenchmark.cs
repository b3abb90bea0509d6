using System.Diagnostics;
using System.Globalization;
using ReId.Training.Tests.Training.Stress;

namespace ReId.Benchmarks;

/// <summary>
/// Issue 17's long stress form: runs <see cref="TrainingStress"/> (real training of every method under forced garbage
/// collections) in child processes, one per run and variant, and counts how many of them died — a finaliser race
/// kills the process, so it can only be counted from outside.
/// </summary>
internal sealed class ScalarStressBenchmark : IBenchmark
{
    public string Name => "scalar-stress";

    public string Description => "training under forced GC in child processes, counting crashes; args: [runs] [steps per run] [variants...]";

    public int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0 && args[0] == "--child") return Child(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], output);

        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var variants = args.Length > 2 ? args[2..] : [.. TrainingStress.Variants];
        // One folder per harness, so that two harnesses (say, before and after a fix) can run side by side.
        string root = Path.Combine(Path.GetTempPath(), $"reid-scalar-stress-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        TrainingStress.Dataset(root);

        long totalSteps = 0;
        int failures = 0, total = 0;
        var clock = Stopwatch.StartNew();
        for (int r = 1; r <= runs; r++)
        {
            foreach (var variant in variants)
            {
                total++;
                var (code, lastLine, failure) = Spawn(variant, steps, root);
                long done = lastLine is not null && lastLine.StartsWith(variant + ": ", StringComparison.Ordinal)
                    ? long.Parse(lastLine.Split(' ')[1], CultureInfo.InvariantCulture) : 0;
                totalSteps += done;
                if (code != 0) failures++;
                output.WriteLine($"run {r} {variant}: exit {code}; {(code == 0 ? lastLine : failure ?? "(no libtorch message)")}  [{clock.Elapsed.TotalMinutes:F1} min]");
            }
        }
        try { Directory.Delete(root, true); } catch (IOException) { }
        output.WriteLine($"scalar-stress: {failures} of {total} runs failed; {totalSteps} training steps completed in the runs that finished; {clock.Elapsed.TotalMinutes:F1} min");
        return failures == 0 ? 0 : 1;
    }

    private static int Child(string variant, int steps, string root, TextWriter output)
    {
        var outcome = TrainingStress.Run(variant, steps, root, output);
        output.WriteLine(outcome.ToString());
        return 0;
    }

    private static (int Code, string? LastLine, string? Failure) Spawn(string variant, int steps, string root)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Started as `dotnet ReId.Benchmarks.dll`, the process is the dotnet host: the child needs the assembly's path first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(ScalarStressBenchmark).Assembly.Location);
        foreach (var a in new[] { "scalar-stress", "--child", variant, steps.ToString(CultureInfo.InvariantCulture), root }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        process.WaitForExit();
        var all = lines.Concat(stderr.Result.Split('\n')).ToList();
        // libtorch names the function that met the freed object ("Exception raised from toFloat at …"); a signal has no message.
        string? failure = all.FirstOrDefault(l => l.Contains("Exception raised from", StringComparison.Ordinal))
            ?? all.FirstOrDefault(l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("Segmentation", StringComparison.Ordinal));
        return (process.ExitCode, lines.LastOrDefault(), failure?.Trim());
    }
}
