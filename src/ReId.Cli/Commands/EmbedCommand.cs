using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;
using ReId.Training.Pipelines;

namespace ReId.Cli.Commands;

/// <summary>`reid embed`: images → float32 [N, D] .npy plus the path,identity,camera[,clothes] sidecar .csv.</summary>
internal sealed partial class EmbedCommand : ICliCommand
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    public string[] Path => ["embed"];

    public string Description =>
        "Embed images with a model (package folder, model.json, .onnx or a saved ML.NET .zip) into a float32 [N, D] .npy and a sidecar .csv";

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

    public void Configure(Command command, CliContext ctx)
    {
        foreach (var option in new Option[] { _model, _backbone, _weights, _images, _data, _format, _split, _out, _json, _inputSize, _mean, _std, _outputName, _engine, _batchSize, _gpu })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(_out)!;
            if (!outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new CliUsageException($"--out must name a .npy file (got '{outPath}').");
            var samples = Samples(parse);
            if (samples.Count == 0)
                throw new CliUsageException("no images to embed.");

            var clock = Stopwatch.StartNew();
            using var embedder = LoadEmbedder(parse);
            double loadSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            if (embedder.UsesCameras && samples.All(s => s.Camera < 0))
                throw new CliUsageException("the model has camera embeddings and needs each image's camera, but none is known: " +
                    "use --data with a dataset format, or --images with Market-style names (0001_c3s1_...).");
            var views = samples.Any(s => s.View >= 0) ? samples.Select(s => s.View).ToArray() : null;
            if (embedder.UsesViews && views is null)
                throw new CliUsageException("the model has view embeddings and needs each image's view: use --data with a csv dataset that has a 'view' column.");
            float[] features = embedder.Embed(samples.Select(s => s.ImagePath).ToArray(), samples.Select(s => s.Camera).ToArray(), views, ctx.Progress("embed"));
            double embedSeconds = clock.Elapsed.TotalSeconds;
            for (int i = 0; i < features.Length; i++)
            {
                if (!float.IsFinite(features[i]))
                    throw new InvalidDataException($"the model gave a non-finite value for image '{samples[i / embedder.EmbeddingSize].ImagePath}'.");
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(outPath))!);
            bool hasClothes = samples.Any(s => s.Clothes >= 0);
            FeatureFile.Write(outPath, new FeatureSet(
                features, samples.Count, embedder.EmbeddingSize,
                samples.Select(s => s.ImagePath).ToArray(),
                samples.Select(s => s.Identity).ToArray(),
                samples.Select(s => s.Camera).ToArray(),
                hasClothes ? samples.Select(s => s.Clothes).ToArray() : null));

            string csvPath = FeatureFile.SidecarPath(outPath);
            double rate = samples.Count / Math.Max(embedSeconds, 1e-9);
            if (parse.GetValue(_json))
            {
                ctx.WriteJson(new
                {
                    features = outPath,
                    sidecar = csvPath,
                    count = samples.Count,
                    dimension = embedder.EmbeddingSize,
                    engine = embedder.GetType().Name,
                    imagesPerSecond = Math.Round(rate, 2),
                    loadSeconds = Math.Round(loadSeconds, 3),
                });
            }
            else
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {samples.Count} x {embedder.EmbeddingSize} features to {outPath} (+ {csvPath}), {rate:F1} images/s"));
            }
            return 0;
        });
    }

    /// <summary>The one place a model becomes an embedder (other model sources plug in here).</summary>
    private IImageEmbedder LoadEmbedder(ParseResult parse)
    {
        string? backbone = parse.GetValue(_backbone);
        string? model = parse.GetValue(_model);
        if ((backbone is null) == (model is null))
            throw new CliUsageException("give exactly one of --model PATH or --backbone clip --weights W.safetensors.");
        if (backbone is not null)
            return ClipEmbedder(parse, backbone);
        if (model!.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return new SavedPipelineEmbedder(model, parse.GetValue(_outputName));
        var options = new ReIdEmbedOptions
        {
            OutputName = parse.GetValue(_outputName),
            GpuDeviceId = parse.GetValue(_gpu),
            FallbackToCpu = true,
        };
        if (parse.GetValue(_inputSize) is { } size)
            (options.InputHeight, options.InputWidth) = InputSize.Parse(size);
        if (parse.GetValue(_mean) is { } mean)
            options.Mean = ParseTriple(mean, "--mean");
        if (parse.GetValue(_std) is { } std)
            options.Std = ParseTriple(std, "--std");
        string engine = parse.GetValue(_engine)!.ToLowerInvariant();
        return engine switch
        {
            "mlnet" => new MlNetChainEmbedder(model, options),
            "batched" => new OnnxEmbedder(model, options, parse.GetValue(_batchSize)),
            "auto" => options.GpuDeviceId is null ? new MlNetChainEmbedder(model, options) : new OnnxEmbedder(model, options, parse.GetValue(_batchSize)),
            _ => throw new CliUsageException($"--engine must be mlnet, batched or auto (got '{engine}')."),
        };
    }

    private ClipImageEmbedder ClipEmbedder(ParseResult parse, string backbone)
    {
        if (!string.Equals(backbone, "clip", StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException($"--backbone must be clip (got '{backbone}'); trained models are embedded with --model.");
        string weights = parse.GetValue(_weights) ?? throw new CliUsageException("--backbone clip needs --weights W.safetensors.");
        if (!File.Exists(weights))
            throw new CliUsageException($"--weights file '{weights}' does not exist.");
        if (parse.GetValue(_gpu) is not null)
            throw new CliUsageException("--gpu is not available with --backbone clip (it runs on the CPU with TorchSharp); export with `reid export` and embed with --model.");
        var size = parse.GetValue(_inputSize) is { } text ? InputSize.Parse(text) : ((int, int)?)null;
        return new ClipImageEmbedder(weights, size, parse.GetValue(_batchSize));
    }

    private List<ReIdSample> Samples(ParseResult parse)
    {
        string? images = parse.GetValue(_images);
        string? data = parse.GetValue(_data);
        if ((images is null) == (data is null))
            throw new CliUsageException("give exactly one of --images DIR or --data DIR (with --format and --split).");
        if (images is not null)
            return FolderSamples(images);
        string format = parse.GetValue(_format) ?? throw new CliUsageException("--data needs --format (" + string.Join(", ", DatasetFormats.Names) + ").");
        var dataset = DatasetFormats.Load(format, data!);
        return parse.GetValue(_split)!.ToLowerInvariant() switch
        {
            "query" => dataset.Query.ToList(),
            "gallery" => dataset.Gallery.ToList(),
            "train" => dataset.Train.ToList(),
            var other => throw new CliUsageException($"--split must be query, gallery or train (got '{other}')."),
        };
    }

    /// <summary>Image files directly in <paramref name="folder"/>, in ordinal file-name order.</summary>
    internal static List<ReIdSample> FolderSamples(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"image folder '{folder}' does not exist.");
        return Directory.EnumerateFiles(System.IO.Path.GetFullPath(folder))
            .Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal)
            .Select(f =>
            {
                var match = MarketName().Match(System.IO.Path.GetFileName(f));
                int identity = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
                int camera = match.Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : -1;
                return new ReIdSample(f, identity, camera, DatasetSplit.Query);
            })
            .ToList();
    }

    private static float[] ParseTriple(string text, string option)
    {
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new CliUsageException($"{option} must be three comma-separated numbers (got '{text}').");
        }
        if (values.Length != 3)
            throw new CliUsageException($"{option} must be three comma-separated numbers (got '{text}').");
        return values;
    }

    // Market-1501 / DukeMTMC style: 0001_c1s1_000151_00.jpg, -1_c3s2_... (junk); identity then camera.
    [GeneratedRegex(@"^(-?\d+)_c(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex MarketName();
}
