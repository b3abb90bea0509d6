using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Datasets;

namespace ReId.Cli.Commands;

/// <summary>The options of `reid embed`.</summary>
internal sealed partial class EmbedCommand
{
    private readonly Option<string?> _model = new("--model") { Description = "Model package folder, its model.json, an .onnx file, or a fitted ML.NET pipeline .zip (text input column of image paths)" };
    private readonly Option<string?> _backbone = new("--backbone") { Description = "clip: embed with a CLIP image encoder read from --weights instead of --model" };
    private readonly Option<string?> _weights = new("--weights") { Description = "CLIP weights (.safetensors, OpenAI or Hugging Face layout) for --backbone clip" };
    private readonly Option<string?> _images = new("--images") { Description = "Folder of images (sorted by file name; identity/camera parsed from Market-style names, else -1)" };
    private readonly Option<string?> _data = new("--data") { Description = "Dataset root (with --format and --split)" };
    private readonly Option<string?> _format = new("--format") { Description = "Dataset format: " + string.Join(", ", DatasetFormats.Names) };
    private readonly Option<string> _split = new("--split") { Description = "query, gallery or train", DefaultValueFactory = _ => "query" };
    private readonly Option<string> _out = new("--out") { Description = "Output .npy (the .csv sidecar is written beside it)", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object with the figures" };
    private readonly Option<string?> _inputSize = new("--input-size") { Description = "Model input size HxW (raw ONNX files without a package)" };
    private readonly Option<string?> _mean = new("--mean") { Description = "Per-channel mean r,g,b on the 0..1 scale (raw ONNX files)" };
    private readonly Option<string?> _std = new("--std") { Description = "Per-channel std r,g,b on the 0..1 scale (raw ONNX files)" };
    private readonly Option<string?> _outputName = new("--output-name") { Description = "Which model output (or, for a .zip, which column) is the embedding" };
    private readonly Option<string> _engine = new("--engine")
    {
        Description = "mlnet (the ReIdEmbed chain; ML.NET parallelises decoding), batched (OnnxEmbedder), or auto (batched with --gpu, else mlnet: measured faster on CPU)",
        DefaultValueFactory = _ => "auto",
    };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Images per ONNX Runtime call (batched engine)", DefaultValueFactory = _ => 32 };
    private readonly Option<int?> _gpu = new("--gpu") { Description = "CUDA device id (falls back to CPU when CUDA is unavailable)" };

    private Option[] AllOptions => [_model, _backbone, _weights, _images, _data, _format, _split, _out, _json, _inputSize, _mean, _std, _outputName, _engine, _batchSize, _gpu];
}
