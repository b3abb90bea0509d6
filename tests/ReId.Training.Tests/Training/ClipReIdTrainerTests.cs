using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.Training.Engine;
using ReId.Training.Methods;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;
using ReId.Training.Recipes;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Training;

/// <summary>Real CLIP-ReID runs (both stages) on a small synthetic Market-1501 folder with a tiny random CLIP.</summary>
public sealed class ClipReIdTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-clip-train").FullName;

    private ReIdDataset Data()
    {
        string dir = Path.Combine(_root, "data");
        if (!Directory.Exists(dir))
            SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 16, Seed = 5, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        return DatasetFormats.Load("market1501", dir);
    }

    private static TrainingOptions Tiny()
    {
        var o = TrainingRecipes.Get("clip-reid-small");
        o.InputHeight = 64; o.InputWidth = 32; o.IdentitiesPerBatch = 4; o.ImagesPerIdentity = 2;
        o.VitWidth = 64; o.VitLayers = 2; o.VitPatch = 16; o.VitStride = 16; o.TextWidth = 64; o.EmbeddingDim = 64;
        o.Stage1Epochs = 2; o.Epochs = 2; o.MaxBatchesPerEpoch = 3; o.WarmupEpochs = 1; o.EvaluateEvery = 1; o.CheckpointEvery = 1; o.Workers = 2;
        return o;
    }

    [Fact]
    public void ARunLearnsPromptsFineTunesAndItsZipReproducesTheFinalMap()
    {
        var data = Data();
        string run = Path.Combine(_root, "run");
        var result = new ReIdTrainer(Tiny()).Train(data, run);

        var store = new CheckpointStore(run);
        Assert.Equal(["best", "epoch-000", "epoch-001", "epoch-002", "last"], store.List());
        Assert.False(store.ReadState("epoch-000").PromptsLearned);
        Assert.True(store.ReadState("epoch-001").PromptsLearned);
        var weights = SafetensorsFile.Read(Path.Combine(run, "checkpoints", "last.safetensors")).Tensors.Keys.ToList();
        Assert.Contains(weights, k => k.StartsWith("prompt.", StringComparison.Ordinal));
        Assert.Contains(weights, k => k.StartsWith("text.", StringComparison.Ordinal));
        Assert.Contains(weights, k => k.StartsWith("neck_proj.", StringComparison.Ordinal));

        Assert.NotNull(result.FinalMetrics);
        using var embedder = ReIdModelZip.Open(result.ModelZipPath);
        Assert.Equal(64 + 64, embedder.EmbeddingSize); // class token + projection
        var again = ModelEvaluation.Evaluate(embedder, data);
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, again.MeanAveragePrecision, 9);
    }

    [Fact]
    public void SieCameraEmbeddingsTrainAndDeployWithTheDatasetsCameras()
    {
        var data = Data();
        var o = Tiny();
        o.CameraEmbedding = true; o.Epochs = 1; o.WarmupEpochs = 0; o.Stage1Epochs = 1;
        string run = Path.Combine(_root, "sie");
        var result = new ReIdTrainer(o).Train(data, run);

        // The package asks for each image's camera and knows the training cameras' ids.
        var package = ReId.MLNet.Onnx.ModelPackage.Read(Path.Combine(run, "model"));
        Assert.Equal(data.Train.Select(t => t.Camera).Distinct().Order(), package.CameraIds!);
        Assert.NotNull(package.CameraInputName);
        var weights = SafetensorsFile.Read(Path.Combine(run, "checkpoints", "last.safetensors")).Tensors;
        Assert.Equal([3L, 64L], weights["visual.cv_embed"].Shape);

        // The .zip (fed the dataset's cameras) reproduces the run's figure; the checkpoint, rebuilt from its record, agrees closely.
        using var embedder = ReIdModelZip.Open(result.ModelZipPath);
        var again = ModelEvaluation.Evaluate(embedder, data);
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, again.MeanAveragePrecision, 9);
        var checkpoint = CheckpointEvaluation.Evaluate(run, "last", data);
        Assert.InRange(checkpoint.MeanAveragePrecision, again.MeanAveragePrecision - 0.05, again.MeanAveragePrecision + 0.05);
    }

    [Fact]
    public void AModifiedResNetRunTrainsAndItsZipReproducesTheFinalMap()
    {
        var data = Data();
        var o = Tiny();
        // Width 16: an 8-channel 3×3 stem convolution, the shape whose input gradient oneDNN gets wrong on AVX-512 CPUs
        // (README, Known problems); it trains through OneDnnSafeConvolution with any thread count.
        o.Backbone = "clip-rn50"; o.ResNetWidth = 16; o.InputHeight = 128; o.InputWidth = 64; o.ResNetLayers = [1, 1, 1, 1]; o.Epochs = 1; o.WarmupEpochs = 0; o.Stage1Epochs = 1;
        var result = new ReIdTrainer(o).Train(data, Path.Combine(_root, "rn"));
        using var embedder = ReIdModelZip.Open(result.ModelZipPath);
        Assert.Equal(16 * 32 + 64, embedder.EmbeddingSize); // average-pooled layer4 + attention-pooled projection
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, ModelEvaluation.Evaluate(embedder, data).MeanAveragePrecision, 9);
    }

    [Fact]
    public void PretrainedClipWeightsAndTheBpeVocabularyStartTheRun()
    {
        var data = Data();
        torch.manual_seed(31);
        using var vision = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 16, InputHeight = 32, InputWidth = 32, OutputDim = 32 });
        using var text = new ClipTextTransformer(new ClipTextOptions { Width = 64, Layers = 1, ContextLength = 32, VocabSize = 523, OutputDim = 32 });
        string dir = Directory.CreateDirectory(Path.Combine(_root, "clip")).FullName;
        string visionFile = Path.Combine(dir, "v.safetensors"), textFile = Path.Combine(dir, "t.safetensors"), clip = Path.Combine(dir, "clip.safetensors");
        ClipVisionWeights.Save(vision, visionFile, ClipLayout.OpenAi);
        ClipTextWeights.Save(text, textFile, ClipLayout.OpenAi);
        new SafetensorsFile(SafetensorsFile.Read(visionFile).Tensors.Values.Concat(SafetensorsFile.Read(textFile).Tensors.Values)).Write(clip);
        var (vocabulary, _) = ReId.Training.Tests.Text.TinyClipVocabulary.WriteHuggingFace(dir);

        var o = Tiny();
        o.PretrainedWeights = clip; o.Epochs = 1; o.WarmupEpochs = 0; o.Stage1Epochs = 1;
        var e = Assert.Throws<ArgumentException>(() => new ReIdTrainer(o).Train(data, Path.Combine(_root, "novocab")));
        Assert.Contains("clip-vocabulary-file", e.Message);
        o.ClipVocabularyFile = vocabulary;
        new ReIdTrainer(o).Train(data, Path.Combine(_root, "pretrained"));

        var start = SafetensorsFile.Read(Path.Combine(_root, "pretrained", "checkpoints", "epoch-000.safetensors")).Tensors;
        var file = SafetensorsFile.Read(clip).Tensors;
        Assert.Equal(file["visual.conv1.weight"].Data, start["visual.conv1.weight"].Data);
        Assert.Equal(file["token_embedding.weight"].Data, start["text.token_embedding.weight"].Data);
        // The prompt starts with the start-of-text token of the BPE vocabulary (id 521), embedded by the loaded encoder.
        Assert.Equal(file["token_embedding.weight"].Data.AsSpan(521 * 64, 64).ToArray(), start["prompt.token_prefix"].Data.AsSpan(0, 64).ToArray());

        // The checkpoint records the architecture (and the tokenised prompt): it evaluates after the CLIP file and vocabulary are gone.
        string run = Path.Combine(_root, "pretrained");
        var withFile = CheckpointEvaluation.Evaluate(run, "last", data);
        File.Delete(clip);
        File.Delete(vocabulary);
        var withoutFile = CheckpointEvaluation.Evaluate(run, "last", data);
        Assert.Equal(withFile.MeanAveragePrecision, withoutFile.MeanAveragePrecision, 12);
        Assert.Equal(withFile.Cmc, withoutFile.Cmc);
    }

    [Fact]
    public void PromptLearningMakesEachIdentitysTextFeatureClosestToItsOwnImages()
    {
        var data = Data();
        var o = Tiny();
        o.Stage1Epochs = 30; o.Stage1LearningRate = 5e-3;
        torch.manual_seed(7);
        using var model = (ClipReIdModel)ReIdTrainer.CreateNetwork(o, data.NumTrainIdentities);
        int classes = data.NumTrainIdentities;

        var stage = new PromptLearningStage("prompts", model, model, o, new TrainingProgressReporter(null));
        double Accuracy()
        {
            // Each training image's projected feature against every identity's prompt text feature.
            using var scope = NewDisposeScope();
            var (image, labels) = stage.CacheImageFeatures(data.Train);
            using var noGrad = torch.no_grad();
            var text = model.TextFeatures(torch.arange(classes, dtype: ScalarType.Int64));
            return image.matmul(text.t()).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
        }

        double before = Accuracy();
        stage.Run(new ReId.Training.Methods.StageContext(data, default));
        double loss = stage.LastLoss;
        double after = Accuracy();

        Assert.True(double.IsFinite(loss));
        Assert.True(after > 0.6 && after > before + 0.3, $"image→own-prompt accuracy {before:P0} before stage 1, {after:P0} after");
    }

    [Fact]
    public void ResumingInsideStageTwoGivesExactlyTheUninterruptedRun()
    {
        var data = Data();
        string full = Path.Combine(_root, "full"), split = Path.Combine(_root, "split");
        new ReIdTrainer(Tiny()).Train(data, full);
        var stopping = new ReIdTrainer(Tiny()) { StopAfterSteps = 4 };
        Assert.Throws<OperationCanceledException>(() => stopping.Train(data, split));
        Assert.True(new CheckpointStore(split).ReadState("last").PromptsLearned);
        new ReIdTrainer(Tiny()).Train(data, split, resume: true);

        var a = SafetensorsFile.Read(Path.Combine(full, "checkpoints", "epoch-002.safetensors")).Tensors;
        var b = SafetensorsFile.Read(Path.Combine(split, "checkpoints", "epoch-002.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.Data.AsSpan().SequenceEqual(b[name].Data), $"tensor {name} differs between the uninterrupted and the resumed run");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
