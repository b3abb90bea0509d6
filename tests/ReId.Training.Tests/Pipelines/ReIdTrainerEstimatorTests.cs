using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Pipelines;
using ReId.Training.Pipelines;
using ReId.Training.Recipes;

namespace ReId.Training.Tests.Pipelines;

public sealed class ReIdTrainerEstimatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-estimator").FullName;

    private sealed class Embedded
    {
        [VectorType] public float[] Features { get; set; } = [];
    }

    [Fact]
    public void FitTrainsAndReturnsATransformerThatSavesAndReloadsInAFreshContext()
    {
        string dir = Path.Combine(_root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 12, Seed = 9, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        var dataset = DatasetFormats.Load("market1501", dir);
        var ml = new MLContext(seed: 1);
        var train = dataset.ToDataView(ml, DatasetSplit.Train);

        var training = TrainingRecipes.Get("bot-small");
        training.Epochs = 1; training.InputHeight = 64; training.InputWidth = 32; training.IdentitiesPerBatch = 4; training.ImagesPerIdentity = 2;
        training.MaxBatchesPerEpoch = 2; training.WarmupEpochs = 1; training.Milestones = [1];
        var estimator = ml.ReId().Trainers.BagOfTricks(new ReIdTrainerOptions { RunDirectory = Path.Combine(_root, "run"), Training = training });

        var model = estimator.Fit(train);
        var features = model.GetOutputSchema(train.Schema)["Features"];
        Assert.Equal(NumberDataViewType.Single, (features.Type as VectorDataViewType)?.ItemType);
        Assert.NotNull(estimator.LastResult);
        var query = dataset.ToDataView(ml, DatasetSplit.Query);
        float[][] before = [.. ml.Data.CreateEnumerable<Embedded>(model.Transform(query), false).Select(r => r.Features)];
        Assert.Equal(dataset.Query.Count, before.Length);
        Assert.All(before, f => Assert.Equal(1.0, Math.Sqrt(f.Sum(v => (double)v * v)), 4)); // L2-normalised embeddings

        string zip = Path.Combine(_root, "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(zip, out _);
        float[][] after = [.. fresh.Data.CreateEnumerable<Embedded>(loaded.Transform(dataset.ToDataView(fresh, DatasetSplit.Query)), false).Select(r => r.Features)];
        for (int i = 0; i < before.Length; i++)
            for (int j = 0; j < before[i].Length; j++)
                Assert.Equal(before[i][j], after[i][j], 1e-5);
    }

    [Fact]
    public void ClipReIdFitRunsBothStagesAndEmbedsWithTheConcatenatedFeatures()
    {
        string dir = Path.Combine(_root, "clipdata");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 12, Seed = 4, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        var dataset = DatasetFormats.Load("market1501", dir);
        var ml = new MLContext(seed: 1);
        var train = dataset.ToDataView(ml, DatasetSplit.Train);
        var training = TrainingRecipes.Get("clip-reid-small");
        training.InputHeight = 64; training.InputWidth = 32; training.IdentitiesPerBatch = 4; training.ImagesPerIdentity = 2;
        training.Stage1Epochs = 1; training.Epochs = 1; training.MaxBatchesPerEpoch = 2; training.WarmupEpochs = 0;

        var estimator = ml.ReId().Trainers.ClipReId(new ReIdTrainerOptions { RunDirectory = Path.Combine(_root, "cliprun"), Training = training });
        var model = estimator.Fit(train);

        float[][] rows = [.. ml.Data.CreateEnumerable<Embedded>(model.Transform(dataset.ToDataView(ml, DatasetSplit.Query)), false).Select(r => r.Features)];
        Assert.Equal(dataset.Query.Count, rows.Length);
        Assert.All(rows, f => Assert.Equal(training.VitWidth + training.EmbeddingDim, f.Length));
        Assert.True(new ReId.Training.Engine.CheckpointStore(Path.Combine(_root, "cliprun")).ReadState("last").PromptsLearned);
        Assert.Throws<ArgumentException>(() => ml.ReId().Trainers.ClipReId(Path.Combine(_root, "x"), recipe: "bot-small"));
    }

    [Fact]
    public void MissingColumnsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.ReId().Trainers.BagOfTricks(Path.Combine(_root, "x"));
        var e = Assert.Throws<ArgumentException>(() => estimator.GetOutputSchema(new SchemaShape([])));
        Assert.Contains("'ImagePath'", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
