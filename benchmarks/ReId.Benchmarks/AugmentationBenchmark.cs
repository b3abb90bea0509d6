using System.Diagnostics;
using ReId.MLNet.Data;
using ReId.Training.Augmentation;
using ReId.Training.Sampling;
using SkiaSharp;

namespace ReId.Benchmarks;

/// <summary>Training-input throughput: decode + resize + bag-of-tricks augmentation through the BatchLoader, cold and cached.</summary>
internal sealed class AugmentationBenchmark : IBenchmark
{
    public string Name => "augmentation";

    public string Description => "BatchLoader images/s at 256x128 (decode+augment, then with the decoded-image cache warm); args: [images] [workers]";

    public int Run(string[] args, TextWriter output)
    {
        int count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 512;
        int workers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2;
        string dir = Path.Combine(Path.GetTempPath(), "reid-augbench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var samples = new List<ReIdSample>();
            var rng = new Random(1);
            for (int i = 0; i < count; i++)
            {
                string path = Path.Combine(dir, $"{i}.jpg");
                using var bitmap = new SKBitmap(64, 128);
                var pixels = new byte[64 * 128 * 4];
                rng.NextBytes(pixels);
                System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
                using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(path, data.ToArray());
                samples.Add(new ReIdSample(path, i / 8, 1, DatasetSplit.Train, Label: i / 8));
            }

            var sampler = new RandomIdentitySampler([.. samples.Select(s => s.Label)], 16, 4, seed: 1);
            var loader = new BatchLoader(samples, sampler, AugmentationPipeline.ForTraining(new AugmentationOptions()),
                new BatchLoaderOptions { Workers = workers, Prefetch = 4, Seed = 1, CacheDecodedImages = true });
            foreach (var (label, epoch) in new[] { ("cold (decode+resize+augment)", 0), ("cached (augment only)", 1) })
            {
                var watch = Stopwatch.StartNew();
                int images = loader.Batches(new SamplerPosition(epoch, 0)).Sum(b => b.Count);
                watch.Stop();
                output.WriteLine($"{label}: {images} images in {watch.Elapsed.TotalSeconds:F2} s = {images / watch.Elapsed.TotalSeconds:F0} images/s ({workers} workers, 256x128)");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
