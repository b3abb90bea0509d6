using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
    public string[] Path => ["embed"];

    public string Description =>
        "Embed images with a model (package folder, model.json, .onnx or a saved ML.NET .zip) into a float32 [N, D] .npy and a sidecar .csv";

    public void Configure(Command command, CliContext ctx)
    {
        foreach (var option in AllOptions) command.Options.Add(option);
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(_out)!;
            if (!outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new CliUsageException($"--out must name a .npy file (got '{outPath}').");
            var samples = Samples(parse);
            if (samples.Count == 0) throw new CliUsageException("no images to embed.");
            var clock = Stopwatch.StartNew();
            using var embedder = LoadEmbedder(parse);
            double loadSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var set = FeatureExtraction.ExtractToFile(embedder, samples, outPath, ctx.Progress("embed"));
            double rate = set.Rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            string csvPath = FeatureFile.SidecarPath(outPath);
            if (parse.GetValue(_json))
                ctx.WriteJson(new { features = outPath, sidecar = csvPath, count = set.Rows, dimension = set.Dim, engine = embedder.GetType().Name,
                    imagesPerSecond = Math.Round(rate, 2), loadSeconds = Math.Round(loadSeconds, 3) });
            else
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {set.Rows} x {set.Dim} features to {outPath} (+ {csvPath}), {rate:F1} images/s"));
            return 0;
        });
    }

    private IImageEmbedder LoadEmbedder(ParseResult parse)
    {
        string? backbone = parse.GetValue(_backbone), model = parse.GetValue(_model);
        if ((backbone is null) == (model is null))
            throw new CliUsageException("give exactly one of --model PATH or --backbone clip --weights W.safetensors.");
        if (backbone is not null)
        {
            if (!string.Equals(backbone, "clip", StringComparison.OrdinalIgnoreCase))
                throw new CliUsageException($"--backbone must be clip (got '{backbone}'); trained models are embedded with --model.");
            string weights = parse.GetValue(_weights) ?? throw new CliUsageException("--backbone clip needs --weights W.safetensors.");
            if (!File.Exists(weights)) throw new CliUsageException($"--weights file '{weights}' does not exist.");
            if (parse.GetValue(_gpu) is not null)
                throw new CliUsageException("--gpu is not available with --backbone clip (it runs on the CPU with TorchSharp); export with `reid export` and embed with --model.");
            return new ClipImageEmbedder(weights, parse.GetValue(_inputSize) is { } text ? InputSize.Parse(text) : null, parse.GetValue(_batchSize));
        }
        var options = new ReIdEmbedOptions { OutputName = parse.GetValue(_outputName), GpuDeviceId = parse.GetValue(_gpu), FallbackToCpu = true };
        if (parse.GetValue(_inputSize) is { } size) (options.InputHeight, options.InputWidth) = InputSize.Parse(size);
        if (parse.GetValue(_mean) is { } mean) options.Mean = OptionValues.Floats(mean, "--mean", 3);
        if (parse.GetValue(_std) is { } std) options.Std = OptionValues.Floats(std, "--std", 3);
        var engine = OptionValues.Choice(parse.GetValue(_engine)!, "--engine", EmbeddingEngine.MlNet, EmbeddingEngine.Batched, EmbeddingEngine.Auto);
        return ImageEmbedders.Open(model!, options, engine, parse.GetValue(_batchSize));
    }

    private List<ReIdSample> Samples(ParseResult parse)
    {
        string? images = parse.GetValue(_images), data = parse.GetValue(_data);
        if ((images is null) == (data is null))
            throw new CliUsageException("give exactly one of --images DIR or --data DIR (with --format and --split).");
        if (images is not null) return ImageFolder.ReadSamples(images);
        string format = parse.GetValue(_format) ?? throw new CliUsageException("--data needs --format (" + string.Join(", ", DatasetFormats.Names) + ").");
        var split = OptionValues.Choice(parse.GetValue(_split)!, "--split", DatasetSplit.Query, DatasetSplit.Gallery, DatasetSplit.Train);
        return [.. DatasetFormats.Load(format, data!).Get(split)];
    }
}
