using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.Training.Engine;

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
        return parse.GetValue(CheckpointOption) is { } checkpoint
            ? CheckpointEvaluation.Evaluate(model, checkpoint, dataset, options)
            : ModelEvaluation.EvaluateSavedModel(model, dataset, options, ctx.Progress("embedding"));
    }
}
