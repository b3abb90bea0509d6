using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace ReId.Benchmarks;

/// <summary>Export time and ONNX Runtime vs TorchSharp CPU latency of ViT-B/16 and ResNet-50-IBN at 256×128 (random weights).</summary>
internal sealed class ModelLatencyBenchmark : IBenchmark
{
    public string Name => "model-latency";
    public string Description => "ONNX export time and ONNX Runtime vs TorchSharp CPU latency, ViT-B/16 and ResNet-50-IBN at 256x128, batch 1 and 32 [--reps N]";

    public int Run(string[] args, TextWriter output)
    {
        int reps = args.Length >= 2 && args[0] == "--reps" ? int.Parse(args[1]) : 3;
        const int h = 256, w = 128;
        output.WriteLine($"threads: torch {torch.get_num_threads()}, cores {Environment.ProcessorCount}; {reps} timed runs after one warm-up; median ms");
        torch.manual_seed(0);
        var vit = new ClipVisionTransformer(new ClipVisionOptions { Width = 768, Layers = 12, PatchSize = 16, InputHeight = h, InputWidth = w, OutputDim = 512 });
        Measure("ViT-B/16", vit, vit, vit.EmbeddingSize, h, w, reps, output);
        vit.Dispose();
        var rn = new BagOfTricksModel(ResNet.Create("resnet50-ibn"), classes: 0);
        Measure("ResNet-50-IBN-a + GeM + BNNeck", rn, rn, rn.EmbeddingSize, h, w, reps, output);
        rn.Dispose();
        return 0;
    }

    private static void Measure(string label, nn.Module<Tensor, Tensor> module, IOnnxExportable exportable, int dim, int h, int w, int reps, TextWriter output)
    {
        module.eval();
        var sw = Stopwatch.StartNew();
        var bytes = OnnxExporter.Export(exportable, h, w, dim, label);
        double exportS = sw.Elapsed.TotalSeconds;
        output.WriteLine($"{label}: export {exportS:F2} s, {bytes.Length / 1e6:F1} MB");
        using var session = ReId.MLNet.Onnx.OnnxSessionFactory.Create(bytes);
        foreach (int batch in new[] { 1, 32 })
        {
            using var x = torch.randn(batch, 3, h, w);
            var data = x.data<float>().ToArray();
            double Ort()
            {
                var t = Stopwatch.StartNew();
                using var r = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor(data, [batch, 3, h, w]))]);
                return t.Elapsed.TotalMilliseconds;
            }
            double Torch()
            {
                var t = Stopwatch.StartNew();
                using (torch.no_grad()) module.forward(x).Dispose();
                return t.Elapsed.TotalMilliseconds;
            }
            double ort = Median(Ort, reps), th = Median(Torch, reps);
            output.WriteLine($"  batch {batch,2}: ONNX Runtime {ort,9:F1} ms ({ort / batch:F1} ms/image)   TorchSharp {th,9:F1} ms ({th / batch:F1} ms/image)");
        }
    }

    private static double Median(Func<double> run, int reps)
    {
        run();
        var times = Enumerable.Range(0, reps).Select(_ => run()).OrderBy(t => t).ToArray();
        return times[times.Length / 2];
    }
}
