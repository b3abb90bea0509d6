using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.Training.Engine;
using ReId.Training.Losses;
using ReId.Training.Recipes;
using ReId.Training.Utils;
using ReId.Training.Weights;

namespace ReId.Training.Tests.Training;

/// <summary>Real training runs on a small synthetic Market-1501 folder (tiny inputs and few batches, so they finish in seconds).</summary>
public sealed class ReIdTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-train").FullName;

    private ReIdDataset Data()
    {
        string dir = Path.Combine(_root, "data");
        if (!Directory.Exists(dir))
            SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 16, Seed = 3, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        return DatasetFormats.Load("market1501", dir);
    }

    private static TrainingOptions Tiny()
    {
        var o = TrainingRecipes.Get("bot-small");
        o.InputHeight = 64; o.InputWidth = 32; o.IdentitiesPerBatch = 4; o.ImagesPerIdentity = 2;
        o.Epochs = 2; o.MaxBatchesPerEpoch = 3; o.WarmupEpochs = 1; o.Milestones = [2]; o.EvaluateEvery = 1; o.CheckpointEvery = 1; o.Workers = 2;
        return o;
    }

    [Fact]
    public void ARunWritesCheckpointsMetricsReportPackageAndAZipThatReproducesTheFinalMap()
    {
        var data = Data();
        string run = Path.Combine(_root, "run");
        var result = new ReIdTrainer(Tiny()).Train(data, run);
        var store = new CheckpointStore(run);
        Assert.Equal(["best", "epoch-000", "epoch-001", "epoch-002", "last"], store.List());
        Assert.Equal(0, store.ReadState("epoch-000").Epoch);
        Assert.Equal(8, store.ReadState("last").NumClasses);
        foreach (string f in new[] { "metrics.csv", "metrics.json", "report.md", "cmc.png", "curves.png", "settings.json", "model.zip", Path.Combine("model", "model.onnx"), Path.Combine("model", "model.json") })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} is written");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header, epoch 0 (untrained), 1, 2
        Assert.NotNull(result.FinalMetrics);
        Assert.NotNull(result.InitialMetrics);
        Assert.True(result.TrainingImagesPerSecond > 0);

        using var embedder = ReIdModelZip.Open(result.ModelZipPath); // a fresh MLContext
        var again = ModelEvaluation.Evaluate(embedder, data);
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, again.MeanAveragePrecision, 9);
        Assert.Equal(result.FinalMetrics.Cmc, again.Cmc);
    }

    [Fact]
    public void EpochSnapshotsAndBestHoldWeightsOnlyWhileLastKeepsTheOptimiserForResume()
    {
        var data = Data();
        string run = Path.Combine(_root, "sizes");
        new ReIdTrainer(Tiny()).Train(data, run);
        string Checkpoint(string name) => Path.Combine(run, "checkpoints", name + ".safetensors");
        bool HasOptimizer(string name) => SafetensorsFile.Read(Checkpoint(name)).Tensors.Keys.Any(k => k.StartsWith("optimizer/", StringComparison.Ordinal));
        Assert.False(HasOptimizer("epoch-001"));
        Assert.False(HasOptimizer("best"));
        Assert.True(HasOptimizer("last"));
        var store = new CheckpointStore(run);
        Assert.True(store.ReadState("epoch-002").WeightsOnly);
        Assert.False(store.ReadState("last").WeightsOnly);
        // Adam keeps two moments per parameter: the resume point is about three times a snapshot.
        Assert.True(new FileInfo(Checkpoint("last")).Length > 2.5 * new FileInfo(Checkpoint("epoch-002")).Length);
        Assert.Equal(SafetensorsFile.Read(Checkpoint("epoch-002")).Tensors.Keys.Order(), SafetensorsFile.Read(Checkpoint("last")).Tensors.Keys.Where(k => !k.StartsWith("optimizer/", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void ResumingAfterAStopGivesExactlyTheUninterruptedRun()
    {
        var data = Data();
        string full = Path.Combine(_root, "full"), split = Path.Combine(_root, "split");
        new ReIdTrainer(Tiny()).Train(data, full);
        var stopping = new ReIdTrainer(Tiny()) { StopAfterSteps = 4 }; // stops inside epoch 2 (3 batches an epoch)
        Assert.Throws<OperationCanceledException>(() => stopping.Train(data, split));
        Assert.Equal((2, 1, false), (new CheckpointStore(split).ReadState("last").Epoch, new CheckpointStore(split).ReadState("last").NextBatch, new CheckpointStore(split).ReadState("last").EpochComplete));
        new ReIdTrainer(Tiny()).Train(data, split, resume: true);

        var a = SafetensorsFile.Read(Path.Combine(full, "checkpoints", "epoch-002.safetensors")).Tensors;
        var b = SafetensorsFile.Read(Path.Combine(split, "checkpoints", "epoch-002.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.Data.AsSpan().SequenceEqual(b[name].Data), $"tensor {name} differs between the uninterrupted and the resumed run");
    }

    [Fact]
    public void ANonFiniteLossOrGradientStopsWithMethodEpochBatchAndTermsAndTheLastGoodCheckpointResumes()
    {
        var data = Data();
        string run = Path.Combine(_root, "nan");
        var store = new CheckpointStore(run);
        void AssertNothingOfEpoch2Written()
        {
            var last = store.ReadState("last");
            Assert.Equal((1, true), (last.Epoch, last.EpochComplete));
            Assert.DoesNotContain("epoch-002", store.List());
            Assert.Equal(1, MetricsLog.Load(run).Rows.Max(r => r.Epoch));
        }

        // Batch 2 of epoch 2 goes NaN in its CE term, as a diverging run would.
        var diverging = new ReIdTrainer(Tiny())
        {
            LossHook = (epoch, batch, loss) => epoch == 2 && batch == 2
                ? new ReIdLossResult(loss.Total.Mul(double.NaN), new Dictionary<string, double>(loss.Terms) { ["ce"] = double.NaN })
                : loss,
        };
        var e = Assert.Throws<NonFiniteLossException>(() => diverging.Train(data, run));
        Assert.Equal(("bot", 2, 2), (e.Method, e.Epoch, e.Batch));
        Assert.Equal(["ce"], e.NonFiniteTerms);
        Assert.StartsWith("bot: the loss of epoch 2, batch 2 of 3 is NaN (non-finite terms: ce = NaN)", e.Message);
        Assert.Contains("--resume", e.Message);
        AssertNothingOfEpoch2Written();

        // A finite loss whose gradients are NaN (d√u/du at u = 0 times 0) is stopped before the optimiser writes them into the weights.
        var badGradients = new ReIdTrainer(Tiny())
        {
            LossHook = (epoch, batch, loss) => epoch == 2 && batch == 2 ? new ReIdLossResult(loss.Total.Add(loss.Total.Mul(0).sqrt()), loss.Terms) : loss,
        };
        e = Assert.Throws<NonFiniteLossException>(() => badGradients.Train(data, run, resume: true));
        Assert.Equal((2, 2), (e.Epoch, e.Batch));
        Assert.Empty(e.NonFiniteTerms);
        Assert.Contains("but its gradients are not finite (joint norm NaN; ", e.Message);
        // The NaN reaches every parameter the loss depends on; the message names them (the first eight).
        Assert.Contains(e.NonFiniteGradients[0], e.Message);
        Assert.Contains(e.NonFiniteGradients, name => name.StartsWith("backbone.", StringComparison.Ordinal));
        AssertNothingOfEpoch2Written();

        // The last good checkpoint resumes to the end.
        var resumed = new ReIdTrainer(Tiny()).Train(data, run, resume: true);
        Assert.Contains("epoch-002", store.List());
        Assert.True(double.IsFinite(MetricsLog.Load(run).Rows.Single(r => r.Epoch == 2).Loss));
        Assert.NotNull(resumed.FinalMetrics);
    }

    [Fact]
    public void CenterLossMovesTheCentresTowardTheFeaturesAndResumesExactly()
    {
        var data = Data();
        var o = Tiny();
        o.CenterLossWeight = 0.0005f;
        string full = Path.Combine(_root, "center-full"), split = Path.Combine(_root, "center-split");
        new ReIdTrainer(o).Train(data, full);
        var start = SafetensorsFile.Read(Path.Combine(full, "checkpoints", "epoch-000.safetensors")).Tensors["center.centers"];
        var end = SafetensorsFile.Read(Path.Combine(full, "checkpoints", "epoch-002.safetensors")).Tensors["center.centers"];
        Assert.Equal(new long[] { 8, 512 }, end.Shape);
        // Centres start as N(0, 1) draws; the pooled ReLU features are non-negative and small, so the centres shrink toward them.
        double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
        Assert.True(Norm(end.Data) < 0.9 * Norm(start.Data), $"centre norm {Norm(start.Data):F1} → {Norm(end.Data):F1}");

        Assert.Throws<OperationCanceledException>(() => new ReIdTrainer(o) { StopAfterSteps = 4 }.Train(data, split));
        new ReIdTrainer(o).Train(data, split, resume: true);
        var a = SafetensorsFile.Read(Path.Combine(full, "checkpoints", "epoch-002.safetensors")).Tensors;
        var b = SafetensorsFile.Read(Path.Combine(split, "checkpoints", "epoch-002.safetensors")).Tensors;
        foreach (var (name, tensor) in a)
            Assert.True(tensor.Data.AsSpan().SequenceEqual(b[name].Data), $"tensor {name} differs between the uninterrupted and the resumed run");
    }

    [Theory]
    [InlineData("bot-small")]
    [InlineData("clip-reid-small")]
    public void EvaluationThroughOnnxRuntimeGivesTheSameFeaturesAsTorchSharp(string recipe)
    {
        var data = Data();
        var o = TrainingRecipes.Get(recipe);
        o.InputHeight = 64; o.InputWidth = 32;
        TorchSharp.torch.manual_seed(5);
        using var model = ReIdTrainer.CreateNetwork(o, data.NumTrainIdentities);
        model.train();
        using (TorchSharp.torch.no_grad())
            for (int i = 0; i < 2; i++) model.forward(TorchSharp.torch.randn(4, 3, 64, 32) * 2f + 0.3f).Dispose();
        model.eval();
        var eval = new ReId.Training.Augmentation.AugmentationOptions { Height = 64, Width = 32, Normalization = o.Normalization };
        int dim = ((ReId.Training.Models.IReIdNetwork)model).EmbeddingSize;
        var torchFeatures = FeatureExtractor.Embed(model, data.Query, eval);
        var ortFeatures = FeatureExtractor.EmbedWithOnnxRuntime(model, dim, data.Query, eval);
        Assert.Equal(data.Query.Count * dim, ortFeatures.Length);
        Assert.True(torchFeatures.Zip(ortFeatures).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
        Assert.False(model.training);
    }

    [Fact]
    public void ACorruptCheckpointIsNamedOnResume()
    {
        var data = Data();
        string run = Path.Combine(_root, "corrupt");
        var o = Tiny();
        o.Epochs = 1;
        new ReIdTrainer(o).Train(data, run);
        string last = Path.Combine(run, "checkpoints", "last.safetensors");
        File.WriteAllBytes(last, File.ReadAllBytes(last)[..100]);
        o.Epochs = 2;
        var e = Assert.Throws<InvalidDataException>(() => new ReIdTrainer(o).Train(data, run, resume: true));
        Assert.Contains("last.safetensors", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
