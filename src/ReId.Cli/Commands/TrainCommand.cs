using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Datasets;
using ReId.Training.Engine;
using ReId.Training.Recipes;

namespace ReId.Cli.Commands;

/// <summary>`reid train --recipe NAME --data DIR --format F --out RUN [...]` and `reid train --recipe NAME --list`.</summary>
internal sealed class TrainCommand : ICliCommand
{
    public string[] Path => ["train"];
    public string Description => $"Train a ReID model from a recipe ({string.Join(", ", TrainingRecipes.Names)}); --list shows a recipe's settings.";

    public void Configure(Command command, CliContext ctx)
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe: " + string.Join(", ", TrainingRecipes.Names), Required = true };
        var list = new Option<bool>("--list") { Description = "Show the recipe's settings and exit" };
        var data = new Option<string?>("--data") { Description = "Dataset folder" };
        var format = new Option<string?>("--format") { Description = "Dataset layout: " + string.Join(", ", DatasetFormats.Names) };
        var output = new Option<string?>("--out") { Description = "Run folder (checkpoints, metrics, model package, model.zip, report.md)" };
        var epochs = new Option<int?>("--epochs") { Description = "Override the recipe's number of epochs" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint" };
        var seed = new Option<long?>("--seed") { Description = "Random seed" };
        var device = new Option<string?>("--device") { Description = "Device: cpu (default), cuda or cuda:N (needs the CUDA build)" };
        var set = new Option<string[]>("--set") { Description = "Override a setting: --set key=value (repeatable; see --list)", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the result" };
        var supervision = new Option<string?>("--supervision") { Description = "Labels to learn from: full, or intra-camera (identities labelled per camera only)" };
        foreach (var o in new Option[] { recipe, list, data, format, output, epochs, resume, seed, device, set, json, supervision }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var options = TrainingRecipes.Get(parse.GetValue(recipe)!);
            if (parse.GetValue(epochs) is { } e) options.Epochs = e;
            if (parse.GetValue(seed) is { } s) options.Seed = s;
            if (parse.GetValue(device) is { } d) options.Device = d;
            if (parse.GetValue(supervision) is { } sup) options.Supervision = sup;
            TrainingOptionOverrides.Apply(options, parse.GetValue(set) ?? []);
            if (parse.GetValue(list))
            {
                ctx.Out.WriteLine($"{options.Recipe}: {TrainingRecipes.Describe(options.Recipe)}");
                foreach (var (key, value, meaning) in TrainingOptionOverrides.Describe(options)) ctx.Out.WriteLine($"  {key,-30} {value,-24} {meaning}");
                return 0;
            }
            string root = parse.GetValue(data) ?? throw new CliUsageException("--data is required (the dataset folder)");
            string fmt = parse.GetValue(format) ?? throw new CliUsageException("--format is required (" + string.Join(", ", DatasetFormats.Names) + ")");
            string run = parse.GetValue(output) ?? throw new CliUsageException("--out is required (the run folder)");
            var dataset = DatasetFormats.Load(fmt, root);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, args) => { args.Cancel = true; cancel.Cancel(); ctx.Error.WriteLine("reid: stopping after this step (Ctrl+C again to force)"); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var result = new ReIdTrainer(options, ctx.Error).Train(dataset, run, parse.GetValue(resume), cancel.Token);
                var m = result.FinalMetrics;
                if (parse.GetValue(json))
                    ctx.WriteJson(new
                    {
                        run = result.RunDirectory, model = result.ModelZipPath, package = result.ModelPackageDirectory,
                        mAP = m?.MeanAveragePrecision, rank1 = m?.Rank1, mINP = m?.MeanInverseNegativePenalty,
                        initialMAP = result.InitialMetrics?.MeanAveragePrecision, imagesPerSecond = result.TrainingImagesPerSecond, seconds = result.TrainingSeconds,
                        protocols = result.FinalProtocolMetrics.ToDictionary(p => p.Key, p => new { mAP = p.Value.MeanAveragePrecision, rank1 = p.Value.Rank1 }),
                        initial = result.InitialFigures,
                    });
                else
                {
                    ctx.Out.WriteLine($"run: {result.RunDirectory}");
                    ctx.Out.WriteLine($"model: {result.ModelZipPath} (ML.NET), {result.ModelPackageDirectory} (ONNX package)");
                    if (result.InitialMetrics is { } i) ctx.Out.WriteLine($"untrained: {i}");
                    if (m is not null) ctx.Out.WriteLine($"final:     {m}");
                    foreach (var (name, pm) in result.FinalProtocolMetrics) ctx.Out.WriteLine($"{name + ":",-10} {pm}");
                    ctx.Out.WriteLine($"training: {result.TrainingImagesPerSecond:F1} images/s over {result.TrainingSeconds:F0} s");
                }
                return 0;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
    }
}
