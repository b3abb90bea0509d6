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
        var testSize = new Option<int?>("--test-size") { Description = "Test list: VehicleID 800|1600|2400 (default 800), VeRi-Wild 3000|5000|10000 (default 3000)" };
        var trial = new Option<int>("--trial") { Description = "VehicleID: which seeded query/gallery split (0-based)" };
        var seed = new Option<int>("--seed") { Description = "VehicleID: seed of the query/gallery splits" };
        var prccQuery = new Option<string>("--prcc-query") { Description = "PRCC queries: C (changed clothes), B (same clothes) or BC", DefaultValueFactory = _ => "C" };
        var noVal = new Option<bool>("--msmt17-no-val") { Description = "MSMT17: train on list_train.txt only (default: train + val, as torchreid)" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip the image header check (faster on huge folders)" };
        foreach (var o in new Option[] { format, root, json, testSize, trial, seed, prccQuery, noVal, noVerify }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var options = new DatasetLoadOptions
            {
                VerifyImages = !parse.GetValue(noVerify),
                VehicleIdTrial = parse.GetValue(trial),
                VehicleIdSeed = parse.GetValue(seed),
                PrccQuery = parse.GetValue(prccQuery) ?? "C",
                Msmt17CombineTrainVal = !parse.GetValue(noVal),
            };
            string formatName = parse.GetValue(format)!;
            if (parse.GetValue(testSize) is { } size)
            {
                if (string.Equals(formatName, "vehicleid", StringComparison.OrdinalIgnoreCase)) options.VehicleIdTestSize = size;
                else if (string.Equals(formatName, "veriwild", StringComparison.OrdinalIgnoreCase)) options.VeriWildTestSize = size;
                else throw new CliUsageException($"--test-size applies to vehicleid and veriwild only, not '{formatName}'");
            }
            var summary = DatasetSummary.Of(DatasetFormats.Load(formatName, parse.GetValue(root)!, options));
            if (parse.GetValue(json))
            {
                ctx.Out.WriteLine(summary.ToJson());
                return 0;
            }
            ctx.Out.WriteLine($"format: {summary.Format}");
            ctx.Out.WriteLine($"{"split",-8} {"images",8} {"identities",11} {"cameras",8}");
            foreach (var (name, s) in new[] { ("train", summary.Train), ("query", summary.Query), ("gallery", summary.Gallery) })
                ctx.Out.WriteLine($"{name,-8} {s.Images,8} {s.Identities,11} {s.Cameras,8}");
            if (summary.TrainIntraCameraIdentities.Count > 0)
            {
                ctx.Out.WriteLine($"train intra-camera identities (--supervision intra-camera): {summary.TrainIntraCameraIdentities.Values.Sum()} = " +
                    string.Join(" + ", summary.TrainIntraCameraIdentities.Select(p => $"{p.Value} (camera {p.Key})")));
            }
            return 0;
        });
    }
}
