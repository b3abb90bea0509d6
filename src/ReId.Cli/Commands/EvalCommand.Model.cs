using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;

namespace ReId.Cli.Commands;

internal sealed partial class EvalCommand
{
    // The --model branch (a training run's .zip evaluated on a dataset) is added with the trainer.
    private static void ConfigureModelOptions(Command command) { }

    private static ReIdMetrics? TryEvaluateModel(ParseResult parse, EvaluationOptions options, CliContext ctx) => null;
}
