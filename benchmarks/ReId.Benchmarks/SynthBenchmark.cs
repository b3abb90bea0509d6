using System.Globalization;
using ReId.MLNet.Data.Synthetic;
using SkiaSharp;

namespace ReId.Benchmarks;

/// <summary>Images/s of the synthetic dataset generator (render + encode + write) with all cores; optionally writes a contact
/// sheet (one row per identity) to look at what the generator draws.</summary>
internal sealed class SynthBenchmark : IBenchmark
{
    public string Name => "synth";

    public string Description => "synthetic dataset generation images/s; args: [--images N] [--format F] [--kind person|vehicle] [--threads T] [--clothes K] [--sheet FILE.png]";

    public int Run(string[] args, TextWriter output)
    {
        int images = int.Parse(Arg(args, "--images", "10000"), CultureInfo.InvariantCulture);
        string format = Arg(args, "--format", "market1501");
        var kind = Arg(args, "--kind", format == "veri776" ? "vehicle" : "person") == "vehicle" ? SyntheticKind.Vehicle : SyntheticKind.Person;
        int threads = int.Parse(Arg(args, "--threads", "0"), CultureInfo.InvariantCulture);
        int clothes = int.Parse(Arg(args, "--clothes", "1"), CultureInfo.InvariantCulture);
        string? sheet = args.Contains("--sheet") ? Arg(args, "--sheet", "") : null;
        string root = Directory.CreateTempSubdirectory("reid-synth-bench-").FullName;
        try
        {
            // A small run warms up the code and measures images per identity, which sizes the timed run.
            var options = new SyntheticDatasetOptions { Format = format, Kind = kind, Identities = 40, Seed = 1, MaxDegreeOfParallelism = threads, ClothesChanges = clothes };
            var small = SyntheticDatasetGenerator.Generate(options, Path.Combine(root, "warmup"));
            options.Identities = Math.Clamp((int)Math.Round(images / (double)small.TotalImages * 40), 2, 9999);
            if (format == "ltcc") options.Identities = Math.Min(options.Identities, 999);
            var report = SyntheticDatasetGenerator.Generate(options, Path.Combine(root, "data"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"synth: {format} {kind.ToString().ToLowerInvariant()}, {report.TotalImages} images ({options.Identities} identities) in {report.Elapsed.TotalSeconds:F2} s " +
                $"= {report.ImagesPerSecond:F0} images/s on {(threads > 0 ? threads : Environment.ProcessorCount)} threads"));
            if (sheet is not null) WriteSheet(Path.Combine(root, "data"), sheet, output);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void WriteSheet(string dir, string path, TextWriter output)
    {
        var rows = Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith("-1", StringComparison.Ordinal))
            .GroupBy(f => Path.GetFileName(f).Split('_')[0]).OrderBy(g => g.Key, StringComparer.Ordinal).Skip(1).Take(12)
            .Select(g => g.Order(StringComparer.Ordinal).Take(12).ToList()).ToList();
        const int cellW = 96, cellH = 128;
        using var bitmap = new SKBitmap(cellW * 12, cellH * rows.Count);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
            {
                using var image = SKBitmap.Decode(rows[r][c]);
                float scale = Math.Min((float)cellW / image.Width, (float)cellH / image.Height);
                canvas.DrawBitmap(image, SKRect.Create(c * cellW, r * cellH, image.Width * scale, image.Height * scale));
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        output.WriteLine($"contact sheet: {path}");
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
