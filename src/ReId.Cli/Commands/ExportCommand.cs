using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Onnx;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;

namespace ReId.Cli.Commands;

/// <summary>`reid export --backbone NAME --weights W.safetensors --input-size HxW --out model.onnx`: writes a model package.</summary>
internal sealed class ExportCommand : ICliCommand
{
    public string[] Path => ["export"];
    public string Description => "Export a backbone with safetensors weights to an ONNX model package (model.onnx + model.json).";

    public void Configure(Command command, CliContext ctx)
    {
        var backbone = new Option<string>("--backbone") { Description = $"Architecture: {string.Join(", ", BackbonePackageExporter.Names)}", Required = true };
        var weights = new Option<string>("--weights") { Description = "Weights (.safetensors; CLIP in OpenAI or Hugging Face layout)", Required = true };
        var inputSize = new Option<string>("--input-size") { Description = "Input HxW, e.g. 256x128 (default: the pretrained size)" };
        var stride = new Option<int>("--patch-stride") { Description = "ViT patch stride (overlapping patches when smaller than the patch)" };
        var bilinear = new Option<bool>("--bilinear-pos") { Description = "Resize the positional grid bilinearly (default bicubic)" };
        var output = new Option<string>("--out") { Description = "Output model.onnx path (its folder receives model.json) or a package folder", Required = true };
        var feature = new Option<string>("--feature") { Description = "ResNet ReID models: embed with the BNNeck feature after-bn (default) or before-bn", DefaultValueFactory = _ => "after-bn" };
        var lastStride = new Option<int>("--last-stride") { Description = "ResNets: stride of the last stage, 1 (ReID, default for the ReID ResNets) or 2 (ImageNet; default for clip-rn50, whose ReID variant is 1)", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        foreach (var o in new Option[] { backbone, weights, inputSize, stride, bilinear, feature, lastStride, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string name = parse.GetValue(backbone)!.ToLowerInvariant();
            if (!BackbonePackageExporter.Names.Contains(name))
                throw new CliUsageException($"--backbone '{name}' is not supported; expected one of {string.Join(", ", BackbonePackageExporter.Names)}");
            var options = new BackboneExportOptions
            {
                InputSize = parse.GetValue(inputSize) is { } s ? InputSize.Parse(s) : null,
                PatchStride = parse.GetValue(stride),
                BicubicPositionResize = !parse.GetValue(bilinear),
                LastStride = parse.GetResult(lastStride) is null ? null : parse.GetValue(lastStride),
                Feature = NeckFeatureNames.Parse(parse.GetValue(feature)!),
            };
            if (options.LastStride is { } last && last is not (1 or 2)) throw new CliUsageException($"--last-stride must be 1 or 2 (got {last})");
            if (options.InputSize is null && !name.StartsWith("clip-", StringComparison.Ordinal))
                throw new CliUsageException($"--input-size is required for '{name}' (e.g. 256x128)");
            string dir = PackageDirectory(parse.GetValue(output)!);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var (package, report) = BackbonePackageExporter.Write(name, parse.GetValue(weights)!, dir, options);
            string onnx = System.IO.Path.Combine(dir, ModelPackage.OnnxFileName);
            if (parse.GetValue(json))
                ctx.WriteJson(new { onnx, json = System.IO.Path.Combine(dir, ModelPackage.JsonFileName), package.InputHeight, package.InputWidth, package.EmbeddingSize, architecture = name, unexpectedKeys = report.UnexpectedKeys, seconds = started.Elapsed.TotalSeconds });
            else
            {
                ctx.Out.WriteLine($"wrote {onnx} ({package.InputHeight}x{package.InputWidth} -> {package.EmbeddingSize}) in {started.Elapsed.TotalSeconds:F1} s");
                if (report.UnexpectedKeys.Count > 0)
                    ctx.Out.WriteLine($"ignored {report.UnexpectedKeys.Count} tensors the embedding does not use: {string.Join(", ", report.UnexpectedKeys.Take(5))}");
            }
            return 0;
        });
    }

    private static string PackageDirectory(string output)
    {
        if (!output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return output;
        if (!string.Equals(System.IO.Path.GetFileName(output), ModelPackage.OnnxFileName, StringComparison.Ordinal))
            throw new CliUsageException($"--out '{output}': a model package's ONNX file must be named {ModelPackage.OnnxFileName} (or give a folder)");
        return System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(output))!;
    }
}
