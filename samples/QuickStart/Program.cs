// The main job on built-in defaults: synthetic persons in the Market-1501 layout → dataset summary.
// Usage: dotnet run -c Release --project samples/QuickStart [-- OUT_DIR]
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;

string outDir = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("out", "quickstart"));
string dataDir = Path.Combine(outDir, "data");

Console.WriteLine($"1. synthetic persons (market1501 layout) → {dataDir}");
var report = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 100, Seed = 7, Overwrite = true }, dataDir);
Console.WriteLine($"   {report.TotalImages} images at {report.ImagesPerSecond:F0} images/s");

var summary = DatasetSummary.Of(DatasetFormats.Load("market1501", dataDir));
Console.WriteLine("2. dataset summary");
foreach (var (name, s) in new[] { ("train", summary.Train), ("query", summary.Query), ("gallery", summary.Gallery) })
    Console.WriteLine($"   {name,-8} {s.Images,6} images {s.Identities,5} identities {s.Cameras,3} cameras");
Console.WriteLine($"done: {outDir}");
