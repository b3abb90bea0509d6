using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Tests.Pipelines;

public class ReIdModelZipTests
{
    [Fact]
    public void ZipCreatedFromAPackageEmbedsLikeTheHandComputationAfterThePackageIsGone()
    {
        using var data = new PipelineTestData();
        string red = data.SolidImage("red.png", 6, 10, 200, 30, 40);
        string teal = data.SolidImage("teal.png", 6, 10, 20, 160, 150);
        string package = data.Package();
        string zip = Path.Combine(data.Root, "model.zip");
        ReIdModelZip.Create(package, zip);
        Directory.Delete(package, true);
        using var embedder = ReIdModelZip.Open(zip);
        Assert.Equal(PipelineTestData.EmbeddingSize, embedder.EmbeddingSize);
        float[] e = embedder.Embed([red, teal]);
        float[] expected = [.. data.Expected("red.png"), .. data.Expected("teal.png")];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], e[i], 1e-4);
    }

    [Fact]
    public void ModelEvaluationRanksColourIdentities()
    {
        // Identity = colour: the tiny model's embedding is a linear map of the mean colour, so same colours rank first.
        using var data = new PipelineTestData();
        var query = new List<ReIdSample>();
        var gallery = new List<ReIdSample>();
        (byte R, byte G, byte B)[] colours = [(220, 20, 20), (20, 200, 30), (30, 40, 210)];
        for (int id = 0; id < colours.Length; id++)
        {
            var (r, g, b) = colours[id];
            query.Add(new ReIdSample(data.SolidImage($"q{id}.png", 6, 10, r, g, b), id + 1, 1, DatasetSplit.Query));
            gallery.Add(new ReIdSample(data.SolidImage($"g{id}a.png", 6, 10, (byte)(r - 10), g, b), id + 1, 2, DatasetSplit.Gallery));
            gallery.Add(new ReIdSample(data.SolidImage($"g{id}b.png", 6, 10, r, (byte)(g + 10), b), id + 1, 3, DatasetSplit.Gallery));
        }
        var dataset = new ReIdDataset("market1501", data.Root, [], query, gallery);
        string zip = Path.Combine(data.Root, "model.zip");
        ReIdModelZip.Create(data.Package(), zip);
        using var embedder = ReIdModelZip.Open(zip);
        var m = ModelEvaluation.Evaluate(embedder, dataset);
        Assert.Equal(3, m.ValidQueries);
        Assert.Equal(1.0, m.MeanAveragePrecision, 6);
    }

    [Fact]
    public void AMissingZipIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ReIdModelZip.Open("/nowhere/model.zip"));
        Assert.Contains("/nowhere/model.zip", e.Message);
    }
}
