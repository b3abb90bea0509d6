using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data.Synthetic;

namespace ReId.Cli.Commands;

/// <summary>`reid synth`: writes a synthetic person or vehicle dataset in a real dataset layout.</summary>
internal sealed class SynthCommand : ICliCommand
{
    public string[] Path => ["synth"];

    public string Description => "Generate a synthetic ReID dataset (persons or vehicles) as image files in a real dataset layout";

    public void Configure(Command command, CliContext context)
    {
        var kind = new Option<string?>("--kind") { Description = "person or vehicle (default: vehicle for veri776, vehicleid and veriwild, else person)" };
        var format = new Option<string>("--format")
        {
            Description = $"layout: {string.Join(", ", SyntheticDatasetOptions.Formats)}", DefaultValueFactory = _ => "market1501",
        };
        var ids = new Option<int>("--ids") { Description = "total identities (half train, half test)", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "output folder (must not exist or be empty)", Required = true };
        var seed = new Option<int>("--seed") { Description = "random seed; same seed, same files", DefaultValueFactory = _ => 1 };
        var clothes = new Option<int>("--clothes-changes") { Description = "outfits per person (clothes ids in ltcc names)", DefaultValueFactory = _ => 1 };
        var cameras = new Option<int>("--cameras") { Description = "number of cameras (0 = the format's default)", DefaultValueFactory = _ => 0 };
        var perCamera = new Option<string>("--images-per-camera")
        {
            Description = "images of one identity in one camera: N or MIN-MAX", DefaultValueFactory = _ => "2-4",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "replace a non-empty output folder" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        foreach (var o in new Option[] { kind, format, ids, output, seed, clothes, cameras, perCamera, overwrite, json }) command.Options.Add(o);

        command.SetAction(parse =>
        {
            string layout = parse.GetValue(format)!;
            var options = new SyntheticDatasetOptions
            {
                Kind = parse.GetValue(kind) is { } k ? OptionValues.Choice<SyntheticKind>(k, "--kind") : SyntheticDatasetOptions.DefaultKind(layout),
                Format = layout,
                Identities = parse.GetValue(ids),
                Seed = parse.GetValue(seed),
                ClothesChanges = parse.GetValue(clothes),
                Cameras = parse.GetValue(cameras),
                ImagesPerIdentityPerCamera = OptionValues.Range(parse.GetValue(perCamera)!, "--images-per-camera"),
                Overwrite = parse.GetValue(overwrite),
            };
            var report = SyntheticDatasetGenerator.Generate(options, parse.GetValue(output)!, context.Progress("synth"));
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    format = report.Format,
                    kind = report.Kind.ToString().ToLowerInvariant(),
                    output = report.OutputDirectory,
                    train = Split(report.Train),
                    query = Split(report.Query),
                    gallery = Split(report.Gallery),
                    trainIdentities = report.TrainIdentities,
                    testIdentities = report.TestIdentities,
                    distractors = report.DistractorImages,
                    junk = report.JunkImages,
                    totalImages = report.TotalImages,
                    seconds = Math.Round(report.Elapsed.TotalSeconds, 3),
                    imagesPerSecond = Math.Round(report.ImagesPerSecond, 1),
                });
            }
            else
            {
                context.Out.WriteLine(report.Summary());
            }
            return 0;
        });
    }

    private static object Split(SyntheticSplitCounts s) => new { images = s.Images, identities = s.Identities, cameras = s.Cameras };
}
