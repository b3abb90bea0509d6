// The main job on built-in defaults: synthetic persons in the Market-1501 layout → dataset summary → train the small
// bag-of-tricks recipe with TorchSharp → evaluate → ML.NET pipeline (ReIdEmbed + ReIdRank) saved as a .zip → reloaded in a
// fresh MLContext → rank lists drawn.
// Usage: dotnet run -c Release --project samples/QuickStart [-- OUT_DIR [EPOCHS]]
using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Pipelines;
using ReId.MLNet.Visualization;
using ReId.Training.Engine;
using ReId.Training.Recipes;

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

// The ML.NET pipeline a deployment uses, built from the exported model package: ReIdEmbed (image path → embedding) and
// ReIdRank (embedding → top-k gallery rows, the gallery stored in the model), saved as one .zip and reloaded.
Console.WriteLine($"4. ML.NET pipeline: ReIdEmbed on {result.ModelPackageDirectory} + ReIdRank, saved, reloaded in a fresh MLContext");
var ml = new MLContext(seed: 1);
var queryView = dataset.ToDataView(ml, DatasetSplit.Query);
var galleryView = dataset.ToDataView(ml, DatasetSplit.Gallery);
var embed = ml.Transforms.ReIdEmbed("Features", result.ModelPackageDirectory, inputColumnName: "ImagePath").Fit(galleryView);
var galleryEmbedded = embed.Transform(galleryView);
Console.WriteLine($"   evaluated through ML.NET: {ml.ReId().Evaluate(embed.Transform(queryView), galleryEmbedded, "Features")}");

float[] gallery = [.. galleryEmbedded.GetColumn<float[]>("Features").SelectMany(f => f)];
int dim = gallery.Length / dataset.Gallery.Count;
long[] galleryIds = [.. dataset.Gallery.Select(s => (long)s.Identity)];
var pipeline = ml.Transforms.ReIdEmbed("Features", result.ModelPackageDirectory, inputColumnName: "ImagePath")
    .Append(ml.Transforms.ReIdRank("TopK", gallery, dim, "Features", galleryIds, topK: 8));
string zip = Path.Combine(outDir, "reid.zip");
ml.Model.Save(pipeline.Fit(queryView), queryView.Schema, zip);

var fresh = new MLContext();
var reloaded = fresh.Model.Load(zip, out _);
var queries = dataset.Query.Take(6).ToList();
var ranked = reloaded.Transform(fresh.Data.LoadFromEnumerable(queries.Select(ReIdImageRow.From)));
var entries = queries.Zip(ranked.GetColumn<long[]>("TopK"), (q, top) => new RankListEntry(q.ImagePath,
    [.. top.Select(g => dataset.Gallery[(int)g].ImagePath)], [.. top.Select(g => dataset.Gallery[(int)g].Identity == q.Identity)])).ToList();
string picture = Path.Combine(outDir, "rank-lists.png");
RankListGrid.SavePng(picture, entries);
Console.WriteLine($"   {zip}; rank lists of the reloaded model (green = same identity): {picture}");
Console.WriteLine($"done: {outDir}");
