using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.Training.Engine;
using ReId.Training.Methods.Csgn;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;
using ReId.Training.Recipes;
using ReId.Training.Weights;
using TorchSharp;

namespace ReId.Training.Tests.Methods.Csgn;

/// <summary>Real CSGN runs (both prompt banks, fine-tuning, export) on a small synthetic clothes-changing LTCC folder.</summary>
public sealed class CsgnTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-csgn-train").FullName;

    private ReIdDataset Data()
    {
        string dir = Path.Combine(_root, "data");
        if (!Directory.Exists(dir))
            SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
            {
                Format = "ltcc", Kind = SyntheticKind.Person, Identities = 12, Seed = 5, Cameras = 3, ClothesChanges = 3, ImagesPerIdentityPerCamera = (2, 2),
            }, dir);
        return DatasetFormats.Load("ltcc", dir);
    }

    private static TrainingOptions Tiny()
    {
        var o = TrainingRecipes.Get("csgn-small");
        o.IdentitiesPerBatch = 4; o.ImagesPerIdentity = 2; o.ResNetWidth = 8; o.VitWidth = 32; o.VitLayers = 1; o.TextWidth = 32; o.EmbeddingDim = 16;
        o.Stage1Epochs = 1; o.Epochs = 2; o.MaxBatchesPerEpoch = 2; o.WarmupEpochs = 1; o.EvaluateEvery = 1; o.CheckpointEvery = 1; o.Workers = 2;
        return o;
    }

    [Fact]
    public void ARunLearnsBothBanksFineTunesAndItsZipReproducesBothClothesChangingFigures()
    {
        var data = Data();
        string run = Path.Combine(_root, "run");
        var result = new ReIdTrainer(Tiny()).Train(data, run);

        var store = new CheckpointStore(run);
        Assert.Equal(["prompts-grey", "prompts-rgb"], store.ReadState("last").StagesDone.Order());
        var weights = SafetensorsFile.Read(Path.Combine(run, "checkpoints", "last.safetensors")).Tensors.Keys.ToList();
        foreach (var prefix in new[] { "mdg.prompt_rgb.", "mdg.prompt_grey.", "mdg.text.", "vss.mix.", "neck_fused.", "resnet.", "vit." })
            Assert.Contains(weights, k => k.StartsWith(prefix, StringComparison.Ordinal));

        using var embedder = ReIdModelZip.Open(result.ModelZipPath);
        Assert.Equal(8 * 32 + 32 + 16, embedder.EmbeddingSize); // ResNet layer4 + ViT class token + fused
        var ccOnly = ModelEvaluation.Evaluate(embedder, data, new EvaluationOptions { Protocol = EvaluationProtocol.ClothesChangingOnly });
        var standard = ModelEvaluation.Evaluate(embedder, data, new EvaluationOptions { Protocol = EvaluationProtocol.ClothesChangingStandard });
        Assert.Equal(result.FinalMetrics!.MeanAveragePrecision, standard.MeanAveragePrecision, 9);
        var metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));
        Assert.Contains("cc-only-map", metrics);
        Assert.Equal(ccOnly.MeanAveragePrecision, result.FinalProtocolMetrics["cc-only"].MeanAveragePrecision, 9);
        Assert.Equal(ccOnly.Rank1, result.FinalProtocolMetrics["cc-only"].Rank1, 9);
        Assert.Contains($"| cc-only | {(100 * ccOnly.MeanAveragePrecision).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} |", File.ReadAllText(Path.Combine(run, "report.md")));
        Assert.True(result.InitialFigures.ContainsKey("cc-only-map"));
    }

    [Fact]
    public void TheFullRecipeWithoutWeightsNamesEveryMissingKey()
    {
        var o = TrainingRecipes.Get("csgn");
        var e = Assert.Throws<ArgumentException>(() => new ReIdTrainer(o).Train(Data(), Path.Combine(_root, "noweights")));
        Assert.Contains("pretrained-weights", e.Message);
        Assert.Contains("csgn.resnet-weights", e.Message);
        Assert.Contains("clip-vocabulary-file", e.Message);
    }

    [Fact]
    public void TwoClipFilesStartTheResNetTheVitAndTheTextTower()
    {
        var data = Data();
        torch.manual_seed(41);
        string dir = Directory.CreateDirectory(Path.Combine(_root, "clip")).FullName;
        using var vision = new ClipVisionTransformer(new ClipVisionOptions { Width = 32, Layers = 1, PatchSize = 8, InputHeight = 32, InputWidth = 32, OutputDim = 16 });
        using var text = new ClipTextTransformer(new ClipTextOptions { Width = 32, Layers = 1, ContextLength = 32, VocabSize = 523, OutputDim = 16 });
        using var rn = new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 24, InputHeight = 64, InputWidth = 64 });
        string v = Path.Combine(dir, "v.safetensors"), t = Path.Combine(dir, "t.safetensors"), vit = Path.Combine(dir, "vit-b16.safetensors"), rn50 = Path.Combine(dir, "rn50.safetensors");
        ClipVisionWeights.Save(vision, v, ClipLayout.OpenAi);
        ClipTextWeights.Save(text, t, ClipLayout.OpenAi);
        new SafetensorsFile(SafetensorsFile.Read(v).Tensors.Values.Concat(SafetensorsFile.Read(t).Tensors.Values)).Write(vit);
        ClipResNetWeights.Save(rn, rn50);
        var (vocabulary, _) = ReId.Training.Tests.Text.TinyClipVocabulary.WriteHuggingFace(dir);

        var o = Tiny();
        o.PretrainedWeights = vit; o.ClipVocabularyFile = vocabulary; o.Epochs = 1; o.WarmupEpochs = 0;
        var e = Assert.Throws<ArgumentException>(() => new ReIdTrainer(o).Train(data, Path.Combine(_root, "one-file")));
        Assert.Contains("csgn.resnet-weights", e.Message);
        o.SectionAs<CsgnOptions>().ResNetWeights = rn50;
        new ReIdTrainer(o).Train(data, Path.Combine(_root, "pretrained"));

        var start = SafetensorsFile.Read(Path.Combine(_root, "pretrained", "checkpoints", "epoch-000.safetensors")).Tensors;
        Assert.Equal(SafetensorsFile.Read(vit).Tensors["visual.conv1.weight"].Data, start["vit.conv1.weight"].Data);
        Assert.Equal(SafetensorsFile.Read(rn50).Tensors["visual.layer1.0.conv1.weight"].Data, start["resnet.layer1.0.conv1.weight"].Data);
        Assert.Equal(SafetensorsFile.Read(vit).Tensors["token_embedding.weight"].Data, start["mdg.text.token_embedding.weight"].Data);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
