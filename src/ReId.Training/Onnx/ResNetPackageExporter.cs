using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Weights;
using static TorchSharp.torch;
using ReId.MLNet.Pipelines;

namespace ReId.Training.Onnx;

/// <summary>
/// Exports a ReID ResNet from safetensors weights into a model package: either a ReID model saved by training
/// (<c>backbone.*</c>, <c>pool.p</c>, <c>neck.*</c>; a run checkpoint works too, its optimiser tensors are skipped)
/// or a plain torchvision-named backbone (<c>conv1.weight</c>, <c>layer1.0…</c>; <c>fc.*</c> skipped), which then
/// embeds with average pooling and no neck.
/// </summary>
public static class ResNetPackageExporter
{
    /// <summary>Writes the package into <paramref name="directory"/>; returns it and which file tensors were not used.</summary>
    public static (ModelPackage Package, LoadReport Report) Write(string directory, string backbone, string weightsPath, int inputHeight, int inputWidth,
        bool lastStrideOne = true, NeckFeature feature = NeckFeature.AfterBn)
    {
        string source = $"Safetensors file '{weightsPath}'";
        bool reIdModel = SafetensorsFile.ReadNames(weightsPath).Any(k => k.StartsWith("backbone.", StringComparison.Ordinal));
        bool Unused(string name) => reIdModel
            ? name.StartsWith("optimizer/", StringComparison.Ordinal) || name.StartsWith("neck.classifier.", StringComparison.Ordinal)
            : name.StartsWith("fc.", StringComparison.Ordinal);
        var skipped = new List<string>();
        // Optimiser state (twice the weights in a checkpoint) and classifiers are never decoded.
        var file = SafetensorsFile.Read(weightsPath, name =>
        {
            if (!Unused(name)) return false;
            skipped.Add(name);
            return true;
        });
        var tensors = file.Tensors.ToDictionary(p => reIdModel ? p.Key : "backbone." + p.Key, p => StateDictIO.ToTorch(p.Value));
        try
        {
            using var model = new BagOfTricksModel(ResNet.Create(backbone, lastStrideOne), classes: 0, gemP: 1f, learnP: false,
                feature: reIdModel ? feature : NeckFeature.BeforeBn);
            var report = StateDictIO.Load(model, tensors, source);
            // A plain backbone has no pooling exponent or neck: average pooling and the pooled feature are what it means.
            var missing = reIdModel ? report.MissingKeys : report.MissingKeys.Where(k => k != "pool.p" && !k.StartsWith("neck.", StringComparison.Ordinal)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{source} does not hold a complete '{backbone}' ({missing.Count} tensors missing, e.g. {string.Join(", ", missing.Take(3))}); does --backbone match the weights?");
            if (report.UnexpectedKeys.Count > 0)
                throw new InvalidDataException($"{source} has tensors a '{backbone}' does not have (e.g. {string.Join(", ", report.UnexpectedKeys.Take(3))}); does --backbone match the weights?");
            model.eval();
            var package = ModelPackageExporter.Write(directory, model, inputHeight, inputWidth, model.EmbeddingSize, backbone,
                ChannelStatistics.ImageNetMean.ToArray(), ChannelStatistics.ImageNetStd.ToArray(), resize: "bilinear");
            return (package, new LoadReport([], skipped));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
