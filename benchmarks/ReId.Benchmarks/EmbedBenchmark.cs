using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using SkiaSharp;

namespace ReId.Benchmarks;

/// <summary>
/// Images/s of <c>ReIdEmbed</c> through ML.NET (one row per ONNX Runtime call) against <see cref="OnnxEmbedder"/>
/// (parallel decoding, batched ONNX Runtime calls), on a small random-weight CNN and generated JPEG images.
/// </summary>
internal sealed class EmbedBenchmark : IBenchmark
{
    public string Name => "embed";

    public string Description => "ReIdEmbed (ML.NET chain) vs OnnxEmbedder (batched) images/s; args: [--images N] [--height H] [--width W] [--batch B] [--channels C] [--resnet50] (ResNet-50-IBN at 256x128 instead of the small CNN)";

    public int Run(string[] args, TextWriter output)
    {
        int images = BenchmarkArgs.Int(args, "--images", 512);
        int height = BenchmarkArgs.Int(args, "--height", 128);
        int width = BenchmarkArgs.Int(args, "--width", 64);
        int batch = BenchmarkArgs.Int(args, "--batch", 32);
        int channels = BenchmarkArgs.Int(args, "--channels", 16);
        bool resnet = args.Contains("--resnet50");
        if (resnet) (height, width) = (BenchmarkArgs.Int(args, "--height", 256), BenchmarkArgs.Int(args, "--width", 128));
        string root = Directory.CreateTempSubdirectory("reid-embed-bench-").FullName;
        try
        {
            string package = Path.Combine(root, "package");
            ModelPackage.Create(package, resnet ? ResNet50(height, width) : SmallCnn(height, width, 256, channels), new ModelPackage
            {
                InputName = resnet ? ReId.Training.Onnx.OnnxExporter.InputName : "input",
                OutputName = "embedding",
                InputHeight = height,
                InputWidth = width,
                Mean = [0.485f, 0.456f, 0.406f],
                Std = [0.229f, 0.224f, 0.225f],
                EmbeddingSize = resnet ? 2048 : 256,
                Architecture = "bench-cnn",
                CreatedBy = "EmbedBenchmark",
            });
            string[] paths = WriteImages(Path.Combine(root, "images"), images, height, width);
            output.WriteLine($"embed: {images} JPEG images (about {height + height / 4}x{width + width / 4}) -> model input {height}x{width}, " +
                (resnet ? "ResNet-50-IBN-a (random weights)" : $"CNN (3 conv {channels}/{2 * channels}/{4 * channels} ch + GAP + Gemm, 256-d)") +
                $", {Environment.ProcessorCount} cores, load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg")[..14] : "n/a")}");

            var ml = new MLContext(seed: 1);
            var rows = paths.Select(p => new PathRow { ImagePath = p }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var chain = ml.Transforms.ReIdEmbed("Embedding", package, nameof(PathRow.ImagePath)).Fit(data);
            _ = chain.Transform(ml.Data.LoadFromEnumerable(rows.Take(4))).GetColumn<VBuffer<float>>("Embedding").ToList();
            var sw = Stopwatch.StartNew();
            var mlnet = chain.Transform(data).GetColumn<VBuffer<float>>("Embedding").Select(v => v.DenseValues().ToArray()).ToList();
            double mlnetSeconds = sw.Elapsed.TotalSeconds;

            // The same chain with ML.NET's ONNX sessions told to use every core (ML.NET's default leaves the choice to ONNX Runtime).
            var tuned = new MLContext(seed: 1);
            Microsoft.ML.Transforms.Onnx.OnnxSessionOptionsExtensions.SetOnnxSessionOption((Microsoft.ML.Runtime.IHostEnvironment)tuned, new Microsoft.ML.Transforms.Onnx.OnnxSessionOptions { IntraOpNumThreads = Environment.ProcessorCount });
            var tunedChain = tuned.Transforms.ReIdEmbed("Embedding", package, nameof(PathRow.ImagePath)).Fit(tuned.Data.LoadFromEnumerable(rows));
            _ = tunedChain.Transform(tuned.Data.LoadFromEnumerable(rows.Take(4))).GetColumn<VBuffer<float>>("Embedding").ToList();
            sw.Restart();
            _ = tunedChain.Transform(tuned.Data.LoadFromEnumerable(rows)).GetColumn<VBuffer<float>>("Embedding").Count();
            double tunedSeconds = sw.Elapsed.TotalSeconds;

            using var embedder = new OnnxEmbedder(package, batchSize: batch);
            _ = embedder.Embed(paths.Take(batch).ToArray());
            var (pre0, inf0) = (embedder.PreprocessTime, embedder.InferenceTime);
            sw.Restart();
            float[] batched = embedder.Embed(paths);
            double batchedSeconds = sw.Elapsed.TotalSeconds;

            double maxDiff = 0;
            for (int i = 0; i < images; i++)
                for (int j = 0; j < embedder.EmbeddingSize; j++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(mlnet[i][j] - batched[i * embedder.EmbeddingSize + j]));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ML.NET chain (ReIdEmbed):        {images / mlnetSeconds,8:F1} images/s ({mlnetSeconds:F2} s)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ML.NET chain, {Environment.ProcessorCount} ORT threads: {images / tunedSeconds,8:F1} images/s ({tunedSeconds:F2} s)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OnnxEmbedder (batch {batch,3}):       {images / batchedSeconds,8:F1} images/s ({batchedSeconds:F2} s), speed-up {mlnetSeconds / batchedSeconds:F2}x"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  of which decode+resize+pixels {(embedder.PreprocessTime - pre0).TotalSeconds:F2} s, ONNX Runtime {(embedder.InferenceTime - inf0).TotalSeconds:F2} s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |difference| between the two: {maxDiff:E2}"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static byte[] ResNet50(int height, int width)
    {
        TorchSharp.torch.manual_seed(0);
        using var model = new ReId.Training.Models.BagOfTricksModel(ReId.Training.Models.Backbones.ResNet.Create("resnet50-ibn"), classes: 0);
        model.eval();
        return ReId.Training.Onnx.OnnxExporter.Export(model, height, width, model.EmbeddingSize, "resnet50-ibn");
    }

    /// <summary>conv3x3/2 (3→C) → ReLU → conv3x3/2 (C→2C) → ReLU → conv3x3/2 (2C→4C) → ReLU → GAP → Gemm (4C→D).</summary>
    internal static byte[] SmallCnn(int height, int width, int dim, int channels)
    {
        var rng = new Random(3);
        float[] Weights(int count, int fanIn) => Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) / Math.Sqrt(fanIn))).ToArray();
        var b = new OnnxGraphBuilder("bench_cnn");
        string x = b.AddInput("input", OnnxElementType.Float, "batch", 3, height, width);
        int inChannels = 3;
        foreach (int outChannels in new[] { channels, 2 * channels, 4 * channels })
        {
            string w = b.Constant(Weights(outChannels * inChannels * 9, inChannels * 9), outChannels, inChannels, 3, 3);
            string bias = b.Constant(new float[outChannels], outChannels);
            x = b.Node("Relu", [b.Node("Conv", [x, w, bias], OnnxAttribute.Ints("kernel_shape", 3, 3),
                OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1))]);
            inChannels = outChannels;
        }
        string pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [x])], OnnxAttribute.Int("axis", 1));
        b.NodeWithOutputs("Gemm", [pooled, b.Constant(Weights(inChannels * dim, inChannels), inChannels, dim), b.Constant(new float[dim], dim)], ["embedding"]);
        b.AddOutput("embedding", OnnxElementType.Float, "batch", dim);
        return b.ToBytes();
    }

    internal static string[] WriteImages(string dir, int count, int height, int width)
    {
        Directory.CreateDirectory(dir);
        var paths = new string[count];
        Parallel.For(0, count, i =>
        {
            var rng = new Random(i);
            int h = height + height / 4, w = width + width / 4;
            using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
                using var paint = new SKPaint();
                for (int r = 0; r < 12; r++)
                {
                    paint.Color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                    canvas.DrawRect(rng.Next(w), rng.Next(h), 4 + rng.Next(w / 2), 4 + rng.Next(h / 2), paint);
                }
            }
            paths[i] = Path.Combine(dir, $"img{i:D5}.jpg");
            using var image = SKImage.FromBitmap(bitmap);
            using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(paths[i], encoded.ToArray());
        });
        return paths;
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
