using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Writes a synthetic person or vehicle ReID dataset as real image files in a real dataset layout (market1501, veri776,
/// msmt17, ltcc, prcc, vehicleid, veriwild, csv), deterministic per seed. Identities are split into disjoint train and test halves; each test identity gets one
/// query per camera it appears in, and is always in the gallery from every such camera, hence from another camera than any query.</summary>
public static class SyntheticDatasetGenerator
{
    /// <summary>Generates the dataset into <paramref name="outputDirectory"/>. Files are written to a sibling
    /// <c>&lt;out&gt;.partial-XXXX</c> folder that is renamed to <paramref name="outputDirectory"/> only when complete.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or the output folder exists and is not empty (without Overwrite).</exception>
    public static SyntheticDatasetReport Generate(SyntheticDatasetOptions options, string outputDirectory,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var clock = Stopwatch.StartNew();
        var plan = SyntheticLayoutPlanner.Plan(options);
        string output = Path.GetFullPath(outputDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !options.Overwrite)
            throw new ArgumentException($"output folder '{output}' exists and is not empty; choose a new folder or allow overwriting", nameof(outputDirectory));
        if (File.Exists(output))
            throw new ArgumentException($"output path '{output}' is a file; expected a folder", nameof(outputDirectory));

        string parent = Path.GetDirectoryName(output) ?? ".";
        Directory.CreateDirectory(parent);
        string temp = $"{output}.partial-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            Directory.CreateDirectory(temp);
            foreach (string dir in plan.Jobs.Select(j => Path.GetDirectoryName(j.RelativePath)!).Concat(plan.EmptyFolders).Distinct())
                Directory.CreateDirectory(Path.Combine(temp, dir));
            Render(options, plan, temp, progress, ct);
            foreach (var (name, lines) in plan.ListFiles)
            {
                string path = Path.Combine(temp, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false));
            }
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Directory.Move(temp, output);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }
            catch (IOException) { /* best effort: the failure that got us here matters more */ }
            throw;
        }
        clock.Stop();
        return plan.Report(output, clock.Elapsed);
    }

    private static void Render(SyntheticDatasetOptions options, SyntheticLayoutPlan plan, string root,
        IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var format = plan.Png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;
        var persons = new ConcurrentDictionary<long, PersonAppearance>();
        var vehicles = new ConcurrentDictionary<long, VehicleAppearance>();
        int outfits = options.ClothesChanges;
        int seed = options.Seed;
        Func<long, PersonAppearance> person = id => persons.GetOrAdd(id, k => PersonAppearance.Create(seed, k, outfits));
        Func<long, VehicleAppearance> vehicle = id => vehicles.GetOrAdd(id, k => VehicleAppearance.Create(seed, k));
        long done = 0, total = plan.Jobs.Count;
        var parallel = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount,
        };
        progress?.Report((0, total));
        Parallel.For(0, plan.Jobs.Count, parallel,
            () => new SyntheticRenderer(seed, options.Kind, format, options.JpegQuality, person, vehicle),
            (i, _, renderer) =>
            {
                var job = plan.Jobs[i];
                using (var data = renderer.Render(job, plan.Cameras[job.Camera]))
                using (var file = new FileStream(Path.Combine(root, job.RelativePath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                    file.Write(data.AsSpan());
                long d = Interlocked.Increment(ref done);
                if (progress is not null && (d % 256 == 0 || d == total)) progress.Report((d, total));
                return renderer;
            },
            renderer => renderer.Dispose());
        ct.ThrowIfCancellationRequested();
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
