using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Tests.Pipelines;

/// <summary>The library entry points behind `reid embed` and `reid eval --model`: open a model by path, embed to a feature file, evaluate a run.</summary>
public class FeatureExtractionTests
{
    [Theory]
    [InlineData(EmbeddingEngine.MlNet, typeof(MlNetChainEmbedder))]
    [InlineData(EmbeddingEngine.Batched, typeof(OnnxEmbedder))]
    [InlineData(EmbeddingEngine.Auto, typeof(MlNetChainEmbedder))]
    public void ExtractToFileWritesTheHandComputedEmbeddingsAndTheSidecar(EmbeddingEngine engine, Type expectedType)
    {
        using var data = new PipelineTestData();
        data.SolidImage("0001_c1s1_000001_00.png", 6, 10, 200, 30, 40);
        data.SolidImage("0002_c3s1_000001_00.png", 6, 10, 20, 160, 150);
        var samples = ImageFolder.ReadSamples(data.ImageDir);
        string npy = Path.Combine(data.Root, "out", "f.npy");

        using var embedder = ImageEmbedders.Open(data.Package(), engine: engine);
        Assert.IsType(expectedType, embedder);
        FeatureExtraction.ExtractToFile(embedder, samples, npy);

        var read = FeatureFile.Read(npy);
        Assert.Equal(2, read.Rows);
        Assert.Equal([1, 2], read.Identities);
        Assert.Equal([1, 3], read.Cameras);
        float[] expected = [.. data.Expected("0001_c1s1_000001_00.png"), .. data.Expected("0002_c3s1_000001_00.png")];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], read.Features[i], 1e-4);
    }

    [Fact]
    public void AZipOpensAsTheSavedPipelineAndARunFolderEvaluatesThroughItsModelZip()
    {
        using var data = new PipelineTestData();
        var query = new List<ReIdSample>();
        var gallery = new List<ReIdSample>();
        (byte R, byte G, byte B)[] colours = [(220, 20, 20), (20, 200, 30), (30, 40, 210)];
        for (int id = 0; id < colours.Length; id++)
        {
            var (r, g, b) = colours[id];
            query.Add(new ReIdSample(data.SolidImage($"q{id}.png", 6, 10, r, g, b), id + 1, 1, DatasetSplit.Query));
            gallery.Add(new ReIdSample(data.SolidImage($"g{id}.png", 6, 10, (byte)(r - 10), g, b), id + 1, 2, DatasetSplit.Gallery));
        }
        string run = Directory.CreateDirectory(Path.Combine(data.Root, "run")).FullName;
        ReIdModelZip.Create(data.Package(), Path.Combine(run, "model.zip"));

        using (var embedder = ImageEmbedders.Open(Path.Combine(run, "model.zip")))
            Assert.IsType<SavedPipelineEmbedder>(embedder);
        var m = ModelEvaluation.EvaluateSavedModel(run, new ReIdDataset("market1501", data.Root, [], query, gallery));
        Assert.Equal(3, m.ValidQueries);
        Assert.Equal(1.0, m.MeanAveragePrecision, 6);
    }

    [Fact]
    public void ACameraModelWithoutKnownCamerasIsRefusedBeforeEmbedding()
    {
        using var data = new PipelineTestData();
        data.SolidImage("plain.png", 6, 10, 200, 30, 40);
        using var embedder = ImageEmbedders.Open(data.CameraPackage(), engine: EmbeddingEngine.Batched);
        var e = Assert.Throws<ReIdDataException>(() => FeatureExtraction.Extract(embedder, ImageFolder.ReadSamples(data.ImageDir)));
        Assert.Contains("camera", e.Message);
        Assert.Throws<ArgumentException>(() => FeatureExtraction.ExtractToFile(embedder, ImageFolder.ReadSamples(data.ImageDir), Path.Combine(data.Root, "f.bin")));
    }
}
