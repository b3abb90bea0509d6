// The main job on built-in defaults: synthetic persons in the Market-1501 layout → dataset summary → train the small
// bag-of-tricks recipe with TorchSharp → evaluate → save the ML.NET .zip → reload it in a fresh MLContext and draw rank lists.
// Usage: dotnet run -c Release --project samples/QuickStart [-- OUT_DIR [EPOCHS]]
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.MLNet.Visualization;
using ReId.Training.Recipes;
using ReId.Training.Training;

string outDir = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("out", "quickstart"));
int epochs = args.Length > 1 && int.TryParse(args[1], out int e) ? e : TrainingRecipes.Get("bot-small").Epochs;
string dataDir = Path.Combine(outDir, "data");
string runDir = Path.Combine(outDir, "run");

Console.WriteLine($"1. synthetic persons (market1501 layout) → {dataDir}");
var report = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 100, Seed = 7, Overwrite = true }, dataDir);
Console.WriteLine($"   {report.TotalImages} images at {report.ImagesPerSecond:F0} images/s");

var dataset = DatasetFormats.Load("market1501", dataDir);
var summary = DatasetSummary.Of(dataset);
Console.WriteLine("2. dataset summary");
foreach (var (name, s) in new[] { ("train", summary.Train), ("query", summary.Query), ("gallery", summary.Gallery) })
    Console.WriteLine($"   {name,-8} {s.Images,6} images {s.Identities,5} identities {s.Cameras,3} cameras");

Console.WriteLine($"3. training bot-small for {epochs} epochs → {runDir}");
if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
var options = TrainingRecipes.Get("bot-small");
options.Epochs = epochs;
var result = new ReIdTrainer(options, Console.Out).Train(dataset, runDir);
Console.WriteLine($"   untrained: {result.InitialMetrics}");
Console.WriteLine($"   trained:   {result.FinalMetrics}");
Console.WriteLine($"   {result.TrainingImagesPerSecond:F1} training images/s; report: {Path.Combine(runDir, "report.md")}");

Console.WriteLine($"4. reloading {result.ModelZipPath} in a fresh MLContext and drawing rank lists");
using (var embedder = ReIdModelZip.Open(result.ModelZipPath))
{
    var query = ModelEvaluation.Embed(embedder, dataset.Query);
    var gallery = ModelEvaluation.Embed(embedder, dataset.Gallery);
    var metrics = FeatureEvaluation.Evaluate(query, gallery);
    Console.WriteLine($"   reloaded model: {metrics}");
    var distances = DistanceMatrix.Compute(query.Features, gallery.Features, query.Dim, DistanceMetric.Cosine);
    var entries = new List<RankListEntry>();
    for (int q = 0; q < Math.Min(6, query.Rows); q++)
    {
        var top = Enumerable.Range(0, gallery.Rows)
            .Where(g => !(gallery.Identities[g] == query.Identities[q] && gallery.Cameras[g] == query.Cameras[q]))
            .OrderBy(g => distances[q * gallery.Rows + g]).Take(8).ToList();
        entries.Add(new RankListEntry(query.Paths[q], [.. top.Select(g => gallery.Paths[g])], [.. top.Select(g => gallery.Identities[g] == query.Identities[q])]));
    }
    string picture = Path.Combine(outDir, "rank-lists.png");
    RankListGrid.SavePng(picture, entries);
    Console.WriteLine($"   rank lists: {picture}");
}
Console.WriteLine($"done: {outDir}");
