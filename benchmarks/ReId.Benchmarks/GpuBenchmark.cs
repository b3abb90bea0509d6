using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using ReId.MLNet.Ranking;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;

namespace ReId.Benchmarks;

/// <summary>
/// CUDA against CPU in one table: embedding images/s of ResNet-50-IBN at 256×128 through ReIdEmbed (ML.NET chain), OnnxEmbedder
/// and OnnxEmbedder.EmbedDataView (the batched IDataView path), and exact search (GalleryIndex). A CUDA row says why it could not
/// run where there is no device or no GPU package, so the same command works on any machine. Run by benchmarks/gpu.sh.
/// Args: [--device N] [--images N] [--batch B] [--queries Q] [--gallery G].
/// </summary>
internal sealed class GpuBenchmark : IBenchmark
{
    public string Name => "gpu";
    public string Description => "CUDA vs CPU: ReIdEmbed / OnnxEmbedder / EmbedDataView images/s (ResNet-50-IBN 256x128) and GalleryIndex search; [--device N] [--images N] [--batch B] [--queries Q] [--gallery G]";

    public int Run(string[] args, TextWriter output)
    {
        int device = BenchmarkArgs.Int(args, "--device", 0), images = BenchmarkArgs.Int(args, "--images", 256), batch = BenchmarkArgs.Int(args, "--batch", 32);
        int nq = BenchmarkArgs.Int(args, "--queries", 2000), ng = BenchmarkArgs.Int(args, "--gallery", 100_000);
        const int h = 256, w = 128;
        string root = Directory.CreateTempSubdirectory("reid-gpu-bench-").FullName;
        var table = new List<(string What, string Cpu, string Cuda)>();
        try
        {
            string package = Path.Combine(root, "package");
            TorchSharp.torch.manual_seed(0);
            using (var rn = new BagOfTricksModel(ResNet.Create("resnet50-ibn"), classes: 0))
            {
                rn.eval();
                ModelPackage.Create(package, OnnxExporter.Export(rn, h, w, rn.EmbeddingSize, "resnet50-ibn"), new ModelPackage
                {
                    InputName = OnnxExporter.InputName, OutputName = "embedding", InputHeight = h, InputWidth = w,
                    Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f], EmbeddingSize = rn.EmbeddingSize,
                    Architecture = "resnet50-ibn", CreatedBy = "GpuBenchmark",
                });
            }
            string[] paths = EmbedBenchmark.WriteImages(Path.Combine(root, "images"), images, h, w);
            output.WriteLine($"gpu: {images} JPEG images, ResNet-50-IBN-a 256x128 (random weights), batch {batch}; search {nq} × {ng} × 512 top-50; CUDA device {device}");

            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }).ToArray());
            float[]? reference = null;
            string MlNet(int? gpu)
            {
                var chain = ml.Transforms.ReIdEmbed("Features", new ReIdEmbedOptions { ModelPath = package, GpuDeviceId = gpu, FallbackToCpu = false }, nameof(PathRow.ImagePath)).Fit(data);
                chain.Transform(ml.Data.TakeRows(data, 2)).GetColumn<VBuffer<float>>("Features").ToList();
                var sw = Stopwatch.StartNew();
                var rows = chain.Transform(data).GetColumn<VBuffer<float>>("Features").SelectMany(v => v.DenseValues()).ToArray();
                reference ??= rows;
                return Rate(images, sw.Elapsed.TotalSeconds);
            }
            table.Add(("ReIdEmbed (ML.NET chain, 1 row a call)", Try(() => MlNet(null)), Try(() => MlNet(device))));

            string Batched(int? gpu, bool dataView)
            {
                using var embedder = new OnnxEmbedder(new ReIdEmbedOptions { ModelPath = package, GpuDeviceId = gpu, FallbackToCpu = false }, batch);
                embedder.Embed(paths.Take(batch).ToArray());
                var sw = Stopwatch.StartNew();
                float[] values = dataView
                    ? [.. embedder.EmbedDataView(ml, data, "Features", nameof(PathRow.ImagePath)).GetColumn<VBuffer<float>>("Features").SelectMany(v => v.DenseValues())]
                    : embedder.Embed(paths);
                double seconds = sw.Elapsed.TotalSeconds;
                double diff = reference is null ? double.NaN : values.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
                return $"{Rate(images, seconds)} (max |Δ| vs ReIdEmbed {diff:E1})";
            }
            table.Add(($"OnnxEmbedder (batch {batch})", Try(() => Batched(null, false)), Try(() => Batched(device, false))));
            table.Add(($"OnnxEmbedder.EmbedDataView (batch {batch})", Try(() => Batched(null, true)), Try(() => Batched(device, true))));

            var rng = new Random(1);
            float[] g = new float[(long)ng * 512], q = new float[(long)nq * 512];
            for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
            for (int i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() * 2 - 1);
            string Search(int? gpu)
            {
                using var index = new GalleryIndex(512, DistanceMetric.Cosine) { GpuDeviceId = gpu };
                index.Add(g, [.. Enumerable.Range(0, ng)]);
                index.Search(q.AsSpan(0, 8 * 512), 50);
                var sw = Stopwatch.StartNew();
                index.Search(q, 50);
                double s = sw.Elapsed.TotalSeconds;
                return string.Create(CultureInfo.InvariantCulture, $"{s:F3} s ({2.0 * nq * ng * 512 / s / 1e9:F0} GFLOP/s)");
            }
            table.Add(("GalleryIndex.Search", Try(() => Search(null)), Try(() => Search(device))));

            output.WriteLine($"| {"what",-44} | {"CPU",-40} | {"CUDA",-40} |");
            output.WriteLine($"|{new string('-', 46)}|{new string('-', 42)}|{new string('-', 42)}|");
            foreach (var (what, cpu, cuda) in table)
                output.WriteLine($"| {what,-44} | {cpu,-40} | {cuda,-40} |");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Rate(int images, double seconds) => string.Create(CultureInfo.InvariantCulture, $"{images / seconds:F1} images/s");

    /// <summary>The figure, or why it could not be measured (no CUDA device or provider).</summary>
    private static string Try(Func<string> measure)
    {
        try { return measure(); }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            string message = e.Message.Split('\n')[0];
            return "unavailable: " + (message.Length > 60 ? message[..60] + "…" : message);
        }
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
