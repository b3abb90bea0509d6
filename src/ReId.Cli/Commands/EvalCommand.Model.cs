using System.CommandLine;
using System.Text.Json;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.Training.Recipes;
using ReId.Training.Training;

namespace ReId.Cli.Commands;

internal sealed partial class EvalCommand
{
    private static readonly Option<string?> ModelOption = new("--model") { Description = "A training run folder (its model.zip), or a saved ML.NET .zip" };
    private static readonly Option<string?> CheckpointOption = new("--checkpoint") { Description = "Evaluate this checkpoint of the run (e.g. epoch-000, best, last) instead of its final model" };
    private static readonly Option<string?> DataOption = new("--data") { Description = "Dataset folder (with --model)" };
    private static readonly Option<string?> FormatOption = new("--format") { Description = "Dataset layout (with --model): " + string.Join(", ", DatasetFormats.Names) };

    private static void ConfigureModelOptions(Command command)
    {
        command.Options.Add(ModelOption);
        command.Options.Add(CheckpointOption);
        command.Options.Add(DataOption);
        command.Options.Add(FormatOption);
    }

    private ReIdMetrics? TryEvaluateModel(ParseResult parse, EvaluationOptions options, CliContext ctx)
    {
        if (parse.GetValue(ModelOption) is not { } model) return null;
        string root = parse.GetValue(DataOption) ?? throw new CliUsageException("--data is required with --model");
        string format = parse.GetValue(FormatOption) ?? throw new CliUsageException("--format is required with --model");
        var dataset = DatasetFormats.Load(format, root);
        if (parse.GetResult(_protocol) is null) options.Protocol = ModelEvaluation.DefaultProtocol(dataset.Format);
        if (parse.GetValue(CheckpointOption) is { } checkpoint) return EvaluateCheckpoint(model, checkpoint, dataset, options);
        string zip = Directory.Exists(model) ? System.IO.Path.Combine(model, "model.zip") : model;
        using var embedder = ReIdModelZip.Open(zip);
        var progress = ctx.Progress("embedding");
        var q = ModelEvaluation.Embed(embedder, dataset.Query, progress);
        var g = ModelEvaluation.Embed(embedder, dataset.Gallery, progress);
        return FeatureEvaluation.Evaluate(q, g, options);
    }

    private static ReIdMetrics EvaluateCheckpoint(string runDirectory, string checkpoint, ReIdDataset dataset, EvaluationOptions options)
    {
        string settings = System.IO.Path.Combine(runDirectory, "settings.json");
        if (!File.Exists(settings)) throw new CliUsageException($"'{runDirectory}' is not a training run folder (no settings.json); --checkpoint needs one");
        TrainingOptions training;
        try { training = JsonSerializer.Deserialize<TrainingOptions>(File.ReadAllText(settings)) ?? throw new InvalidDataException($"'{settings}' is empty"); }
        catch (JsonException e) { throw new InvalidDataException($"'{settings}' is not valid JSON: {e.Message}"); }
        var store = new CheckpointStore(runDirectory);
        if (!store.List().Contains(checkpoint))
            throw new CliUsageException($"run '{runDirectory}' has no checkpoint '{checkpoint}'; it has: {string.Join(", ", store.List())}");
        int classes = store.ReadState(checkpoint).NumClasses;
        using var model = ReIdTrainer.CreateNetwork(training, classes);
        store.Load(checkpoint, model, optimizer: null);
        var evalOptions = new ReId.Training.Augmentation.AugmentationOptions { Height = training.InputHeight, Width = training.InputWidth, Normalization = training.Normalization };
        return new ReIdTrainer(training).EvaluateModel(model, dataset, evalOptions, options);
    }
}
