using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Datasets;

namespace ReId.Cli.Commands;

/// <summary>`reid dataset info --format F --root DIR [--json]`: images, identities and cameras per split.</summary>
internal sealed class DatasetInfoCommand : ICliCommand
{
    public string[] Path => ["dataset", "info"];
    public string Description => "Show images, identities and cameras per split of a dataset folder.";

    public void Configure(Command command, CliContext ctx)
    {
        var format = new Option<string>("--format") { Description = $"Dataset layout: {string.Join(", ", DatasetFormats.Names)}", Required = true };
        var root = new Option<string>("--root") { Description = "Dataset folder", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        command.Options.Add(format);
        command.Options.Add(root);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var summary = DatasetSummary.Of(DatasetFormats.Load(parse.GetValue(format)!, parse.GetValue(root)!));
            if (parse.GetValue(json))
            {
                ctx.Out.WriteLine(summary.ToJson());
                return 0;
            }
            ctx.Out.WriteLine($"format: {summary.Format}");
            ctx.Out.WriteLine($"{"split",-8} {"images",8} {"identities",11} {"cameras",8}");
            foreach (var (name, s) in new[] { ("train", summary.Train), ("query", summary.Query), ("gallery", summary.Gallery) })
                ctx.Out.WriteLine($"{name,-8} {s.Images,8} {s.Identities,11} {s.Cameras,8}");
            return 0;
        });
    }
}
