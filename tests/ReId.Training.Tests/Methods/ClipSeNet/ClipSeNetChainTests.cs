using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Pipelines;
using ReId.Training.Methods.ClipSeNet;

namespace ReId.Training.Tests.Methods.ClipSeNet;

/// <summary>
/// The design card's deployment chain: ClipImageFeatures → SemanticEnhance next to the appearance ReIdEmbed,
/// concatenated, L2-normalised and ranked with ReIdRank, equals the whole exported model — on real image files, through
/// ML.NET's own stages, saved as a .zip and reloaded in a fresh MLContext. Camera-free: a model with camera embeddings
/// needs ReIdEmbed's camera column on the appearance part.
/// </summary>
public sealed class ClipSeNetChainTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("senet-chain").FullName;

    private sealed class Row
    {
        [VectorType] public float[] Whole { get; set; } = [];
        [VectorType] public float[] Chained { get; set; } = [];
        [VectorType] public long[] Top { get; set; } = [];
        [VectorType] public long[] WholeTop { get; set; } = [];
    }

    private sealed class Embedded
    {
        [VectorType] public float[] Whole { get; set; } = [];
    }

    [Fact]
    public void SemanticChainPlusAppearanceEqualsTheWholeModelAndSurvivesAZipRoundTrip()
    {
        const int s = ClipSeNetTestModels.Size;
        string data = Path.Combine(_root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
        {
            Kind = SyntheticKind.Vehicle, Format = "veri776", Identities = 6, Cameras = 2, ImagesPerIdentityPerCamera = (1, 2), Seed = 3,
        }, data);
        var dataset = DatasetFormats.Load("veri776", data);
        using var model = ClipSeNetTestModels.Build(11);
        string parts = Path.Combine(_root, "parts"), whole = Path.Combine(_root, "whole");
        ClipSeNetExporter.WriteParts(parts, model, s, s, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear");
        ClipSeNetExporter.WriteWhole(whole, model, s, s, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear");

        var ml = new MLContext(seed: 1);
        var embedWhole = ml.Transforms.ReIdEmbed("Whole", whole, nameof(ReIdImageRow.ImagePath));
        var galleryView = dataset.ToDataView(ml, DatasetSplit.Gallery);
        float[] gallery = [.. ml.Data.CreateEnumerable<Embedded>(embedWhole.Fit(galleryView).Transform(galleryView), false).SelectMany(r => r.Whole)];
        long[] identities = [.. dataset.Gallery.Select(g => (long)g.Identity)];
        int dim = model.EmbeddingSize;

        var pipeline = embedWhole
            .Append(ml.Transforms.ClipImageFeatures(new ClipImageFeaturesOptions
            {
                OutputColumnName = "Sem", ModelPath = Path.Combine(parts, ClipSeNetExporter.SemanticEncoderFolder),
                InputColumnName = nameof(ReIdImageRow.ImagePath), NormalizeOutput = false,
            }))
            .Append(ml.Transforms.SemanticEnhance("SemanticHalf", Path.Combine(parts, ClipSeNetExporter.EnhancementFile), "Sem"))
            .Append(ml.Transforms.ReIdEmbed("AppearanceHalf", Path.Combine(parts, ClipSeNetExporter.AppearanceFolder), nameof(ReIdImageRow.ImagePath)))
            .Append(ml.Transforms.Concatenate("Fused", "AppearanceHalf", "SemanticHalf"))
            .Append(ml.Transforms.NormalizeLpNorm("Chained", "Fused"))
            .Append(ml.Transforms.ReIdRank("Top", gallery, dim, "Chained", identities, topK: 3))
            .Append(ml.Transforms.ReIdRank("WholeTop", gallery, dim, "Whole", identities, topK: 3));
        var query = dataset.ToDataView(ml, DatasetSplit.Query);
        var fitted = pipeline.Fit(query);
        var rows = ml.Data.CreateEnumerable<Row>(fitted.Transform(query), false).ToList();
        Assert.Equal(dataset.Query.Count, rows.Count);
        AssertChainEqualsWhole(rows, dim);

        string zip = Path.Combine(_root, "chain.zip");
        ml.Model.Save(fitted, query.Schema, zip);
        Directory.Delete(parts, true);
        Directory.Delete(whole, true);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(zip, out _);
        var reloaded = fresh.Data.CreateEnumerable<Row>(loaded.Transform(dataset.ToDataView(fresh, DatasetSplit.Query)), false).ToList();
        AssertChainEqualsWhole(reloaded, dim);
        for (int i = 0; i < rows.Count; i++)
            Assert.True(rows[i].Chained.Zip(reloaded[i].Chained, (a, b) => Math.Abs(a - b)).Max() < 1e-5);
    }

    private static void AssertChainEqualsWhole(List<Row> rows, int dim)
    {
        foreach (var r in rows)
        {
            Assert.Equal(dim, r.Chained.Length);
            Assert.True(r.Whole.Zip(r.Chained, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
            Assert.Equal(r.WholeTop, r.Top);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
