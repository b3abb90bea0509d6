using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace ReId.Benchmarks;

/// <summary>
/// Raw ONNX Runtime images/s of ResNet-50-IBN at 256×128 (random weights) with ONNX Runtime's default <see cref="SessionOptions"/>
/// against <see cref="OnnxSessionFactory"/> sessions at 1, 2 and the default (all cores) intra-op threads, batch 1, 8 and 32.
/// </summary>
internal sealed class OnnxThreadsBenchmark : IBenchmark
{
    public string Name => "onnx-threads";
    public string Description => "raw ONNX Runtime images/s, ResNet-50-IBN 256x128: default SessionOptions vs OnnxSessionFactory threads, batch 1/8/32 [--reps N]";

    public int Run(string[] args, TextWriter output)
    {
        int reps = args.Length >= 2 && args[0] == "--reps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        const int h = 256, w = 128;
        TorchSharp.torch.manual_seed(0);
        byte[] model;
        using (var rn = new BagOfTricksModel(ResNet.Create("resnet50-ibn"), classes: 0))
        {
            rn.eval();
            model = OnnxExporter.Export(rn, h, w, rn.EmbeddingSize, "resnet50-ibn");
        }
        output.WriteLine($"onnx-threads: ResNet-50-IBN-a 256x128, {Environment.ProcessorCount} cores, median of {reps} runs after a warm-up, images/s");
        var sessions = new List<(string Label, InferenceSession Session)>
        {
            ("ORT default SessionOptions", new InferenceSession(model)),
            ("factory, 1 thread", OnnxSessionFactory.Create(model, new OnnxSessionOptions { IntraOpThreads = 1 })),
            ("factory, 2 threads", OnnxSessionFactory.Create(model, new OnnxSessionOptions { IntraOpThreads = 2 })),
            ($"factory default ({new OnnxSessionOptions().ResolvedIntraOpThreads} threads)", OnnxSessionFactory.Create(model)),
            ("factory default, no spinning", OnnxSessionFactory.Create(model, new OnnxSessionOptions { AllowSpinning = false })),
        };
        var rng = new Random(1);
        output.WriteLine($"{"session",-36} {"batch 1",9} {"batch 8",9} {"batch 32",9}");
        foreach (var (label, session) in sessions)
        {
            var line = new List<string>();
            foreach (int batch in new[] { 1, 8, 32 })
            {
                var data = new float[batch * 3 * h * w];
                for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
                var input = NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor(data, [batch, 3, h, w]));
                double Run()
                {
                    var t = Stopwatch.StartNew();
                    using var r = session.Run([input]);
                    return t.Elapsed.TotalSeconds;
                }
                Run();
                double median = Enumerable.Range(0, reps).Select(_ => Run()).Order().ElementAt(reps / 2);
                line.Add((batch / median).ToString("F1", CultureInfo.InvariantCulture));
            }
            output.WriteLine($"{label,-36} {line[0],9} {line[1],9} {line[2],9}");
            session.Dispose();
        }
        return 0;
    }
}
