using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using ReId.Training.Engine;
using ReId.Training.Models;
using ReId.Training.Onnx;
using ReId.Training.Pipelines;
using ReId.Training.Recipes;

namespace ReId.Training.Tests.Methods.ClipSeNet;

/// <summary>Real CLIP-SENet runs with camera embeddings on synthetic VeRi-776 vehicles: training, export with the camera input, deployment.</summary>
public sealed class ClipSeNetTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-senet-train").FullName;

    private ReIdDataset Data()
    {
        string dir = Path.Combine(_root, "data");
        if (!Directory.Exists(dir))
            SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
            {
                Kind = SyntheticKind.Vehicle, Format = "veri776", Identities = 12, Cameras = 3, ImagesPerIdentityPerCamera = (1, 2), Seed = 4,
            }, dir);
        return DatasetFormats.Load("veri776", dir);
    }

    private static TrainingOptions Tiny()
    {
        var o = TrainingRecipes.Get("clip-senet-small");
        TrainingOptionOverrides.Apply(o, ["input-height=32", "input-width=32", "vit-width=64", "vit-layers=1", "vit-patch=8", "vit-stride=8",
            "embedding-dim=32", "camera-embedding=true", "identities-per-batch=4", "images-per-identity=2", "max-batches-per-epoch=2",
            "epochs=1", "warmup-epochs=0", "evaluate-every=1", "checkpoint-every=1", "threads=1"]);
        return o;
    }

    [Fact]
    public void CameraEmbeddingsDeployWithTheDatasetsCamerasAndTheZipReproducesTheFinalMap()
    {
        var data = Data();
        string run = Path.Combine(_root, "run");
        var result = new ReIdTrainer(Tiny()).Train(data, run);

        var package = ModelPackage.Read(result.ModelPackageDirectory);
        Assert.Equal(OnnxExporter.CameraInputName, package.CameraInputName);
        Assert.Equal(data.Train.Select(s => s.Camera).Distinct().Order(), package.CameraIds!);

        // The .zip feeds each image's camera; it reproduces the trainer's final figure, and the checkpoint evaluated with
        // TorchSharp (cameras through ISideInformationModule) agrees closely.
        using var embedder = ReIdModelZip.Open(result.ModelZipPath);
        var again = ModelEvaluation.Evaluate(embedder, data);
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, again.MeanAveragePrecision, 9);
        var checkpoint = CheckpointEvaluation.Evaluate(run, "last", data);
        Assert.InRange(checkpoint.MeanAveragePrecision, again.MeanAveragePrecision - 0.05, again.MeanAveragePrecision + 0.05);

        // ReIdEmbed with the camera column gives each image its camera's embedding, not the mean one an untrained camera id
        // gets (the exact values against TorchSharp: ClipSeNetModelTests).
        var ml = new MLContext(seed: 1);
        var query = QueryView(ml, data, camera: null);
        var unknown = QueryView(ml, data, camera: -5);
        var embed = ml.Transforms.ReIdEmbed("Features",
            new ReIdEmbedOptions { ModelPath = result.ModelPackageDirectory, CameraColumnName = nameof(ReIdImageRow.Camera) }, nameof(ReIdImageRow.ImagePath));
        var withCameras = embed.Fit(query).Transform(query).GetColumn<float[]>("Features").ToList();
        var withoutCameras = embed.Fit(unknown).Transform(unknown).GetColumn<float[]>("Features").ToList();
        Assert.Equal(data.Query.Count, withCameras.Count);
        Assert.True(withCameras.Zip(withoutCameras, (c, u) => c.Zip(u, (a, b) => Math.Abs(a - b)).Max()).Max() > 1e-4);
    }

    [Fact]
    public void TheMlNetTrainerFitsAPipelineThatReadsTheCameraColumn()
    {
        var data = Data();
        var ml = new MLContext(seed: 1);
        var trainer = ml.ReId().Trainers.ClipSeNet(new ReIdTrainerOptions { RunDirectory = Path.Combine(_root, "mlnet"), Training = Tiny() });
        var model = trainer.Fit(data.ToDataView(ml, DatasetSplit.Train));
        var features = model.Transform(data.ToDataView(ml, DatasetSplit.Query)).GetColumn<float[]>("Features").ToList();
        Assert.Equal(data.Query.Count, features.Count);
        Assert.All(features, f => Assert.Equal(512 + 32, f.Length));
    }

    private static IDataView QueryView(MLContext ml, ReIdDataset data, int? camera) =>
        ml.Data.LoadFromEnumerable(data.Query.Select(ReIdImageRow.From).Select(r => { if (camera is { } c) r.Camera = c; return r; }).ToList());

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
