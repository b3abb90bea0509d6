using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Tests.Pipelines;

public class ReIdRankTests
{
    private const int Dim = 8;

    private sealed class QueryRow
    {
        [VectorType(Dim)]
        public float[] Features { get; set; } = [];
    }

    private static float[] Random(Random rng, int count) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    /// <summary>Independent brute force in double precision: (index, distance) sorted by distance then index.</summary>
    private static (int Index, double Distance)[] BruteForce(float[] q, float[] gallery, DistanceMetric metric)
    {
        int n = gallery.Length / Dim;
        var result = new (int, double)[n];
        for (int g = 0; g < n; g++)
        {
            double dot = 0, qq = 0, gg = 0, d2 = 0;
            for (int d = 0; d < Dim; d++)
            {
                double a = q[d], b = gallery[g * Dim + d];
                dot += a * b;
                qq += a * a;
                gg += b * b;
                d2 += (a - b) * (a - b);
            }
            result[g] = (g, metric == DistanceMetric.Cosine ? 1 - dot / Math.Sqrt(qq * gg) : Math.Sqrt(d2));
        }
        return result.OrderBy(r => r.Item2).ThenBy(r => r.Item1).ToArray();
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void TopK_MatchesBruteForce_AndSurvivesZipRoundTrip(DistanceMetric metric)
    {
        var rng = new Random(42);
        const int n = 60, k = 7;
        float[] gallery = Random(rng, n * Dim);
        long[] identities = Enumerable.Range(0, n).Select(i => (long)(1000 + i % 13)).ToArray();
        var queries = Enumerable.Range(0, 12).Select(_ => new QueryRow { Features = Random(rng, Dim) }).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(queries);
        var model = ml.Transforms.ReIdRank("Top", gallery, Dim, nameof(QueryRow.Features), identities, topK: k, metric: metric).Fit(data);
        string zip = Path.Combine(Path.GetTempPath(), $"reid-rank-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext(seed: 5).Model.Load(zip, out _);
            foreach (var transformer in new[] { model, loaded })
            {
                var output = transformer.Transform(data);
                var indices = output.GetColumn<VBuffer<long>>("Top").Select(v => v.DenseValues().ToArray()).ToArray();
                var ids = output.GetColumn<VBuffer<long>>("TopIdentities").Select(v => v.DenseValues().ToArray()).ToArray();
                var distances = output.GetColumn<VBuffer<float>>("TopDistances").Select(v => v.DenseValues().ToArray()).ToArray();
                for (int q = 0; q < queries.Length; q++)
                {
                    var expected = BruteForce(queries[q].Features, gallery, metric).Take(k).ToArray();
                    Assert.Equal(expected.Select(e => (long)e.Index), indices[q]);
                    Assert.Equal(expected.Select(e => identities[e.Index]), ids[q]);
                    for (int j = 0; j < k; j++)
                        Assert.True(Math.Abs(expected[j].Distance - distances[q][j]) < 1e-4, $"query {q} rank {j}: {expected[j].Distance} vs {distances[q][j]}");
                }
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public void TopKLargerThanGallery_ReturnsWholeGalleryRanked()
    {
        float[] gallery = [1, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 1, 0, 0, 0, 0, 0, 0, /**/ 1, 1, 0, 0, 0, 0, 0, 0];
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new QueryRow { Features = [1, 0.1f, 0, 0, 0, 0, 0, 0] } });

        var output = ml.Transforms.ReIdRank("Top", gallery, Dim, nameof(QueryRow.Features), topK: 10).Fit(data).Transform(data);

        Assert.Equal([0L, 2L, 1L], output.GetColumn<VBuffer<long>>("Top").Single().DenseValues().ToArray());
        Assert.Equal([0L, 2L, 1L], output.GetColumn<VBuffer<long>>("TopIdentities").Single().DenseValues().ToArray());
    }

    [Fact]
    public void FeatureSetGallery_ReportsItsIdentities()
    {
        float[] features = [0, 1, 0, 0, 0, 0, 0, 0, /**/ 1, 0, 0, 0, 0, 0, 0, 0];
        var set = new ReId.MLNet.Features.FeatureSet(features, 2, Dim, ["g0.jpg", "g1.jpg"], [42, 7], [1, 2]);
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new QueryRow { Features = [0.9f, 0.1f, 0, 0, 0, 0, 0, 0] } });

        var output = ml.Transforms.ReIdRank("Top", set, nameof(QueryRow.Features), topK: 2).Fit(data).Transform(data);

        Assert.Equal([7L, 42L], output.GetColumn<VBuffer<long>>("TopIdentities").Single().DenseValues().ToArray());
        Assert.Equal([1L, 0L], output.GetColumn<VBuffer<long>>("Top").Single().DenseValues().ToArray());
    }

    [Fact]
    public void OptionsNameEveryOutputColumnAndTheInputDefaultsToTheOutputInPlace()
    {
        float[] gallery = [0, 1, 0, 0, 0, 0, 0, 0, /**/ 1, 0, 0, 0, 0, 0, 0, 0, /**/ 1, 1, 0, 0, 0, 0, 0, 0];
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new QueryRow { Features = [1, 0.1f, 0, 0, 0, 0, 0, 0] } });

        var output = ml.Transforms.ReIdRank(new ReIdRankOptions
        {
            OutputColumnName = "Rows", InputColumnName = nameof(QueryRow.Features), IdentitiesColumnName = "Who", DistancesColumnName = "HowFar",
            Gallery = gallery, Dimension = Dim, GalleryIdentities = [5, 6, 7], TopK = 2, Metric = DistanceMetric.Euclidean,
        }).Fit(data).Transform(data);

        // Hand-computed: |q − g1| = 0.1, |q − g2| = 0.9, |q − g0| = √(1 + 0.81).
        Assert.Equal([1L, 2L], output.GetColumn<VBuffer<long>>("Rows").Single().DenseValues().ToArray());
        Assert.Equal([6L, 7L], output.GetColumn<VBuffer<long>>("Who").Single().DenseValues().ToArray());
        var distances = output.GetColumn<VBuffer<float>>("HowFar").Single().DenseValues().ToArray();
        Assert.Equal(0.1f, distances[0], 5);
        Assert.Equal(0.9f, distances[1], 5);
        Assert.Null(output.Schema.GetColumnOrNull("RowsIdentities"));

        // No input column: the ranking reads and replaces the output-named column, as ML.NET's own stages do.
        var inPlace = ml.Transforms.ReIdRank(nameof(QueryRow.Features), gallery, Dim, galleryIdentities: [5, 6, 7], topK: 1).Fit(data).Transform(data);
        Assert.Equal([1L], inPlace.GetColumn<VBuffer<long>>(nameof(QueryRow.Features)).Single().DenseValues().ToArray());
        Assert.Equal([6L], inPlace.GetColumn<VBuffer<long>>("FeaturesIdentities").Single().DenseValues().ToArray());
    }

    [Fact]
    public void EmptyGallery_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ReIdRank("Top", [], Dim, "Features"));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void GalleryWithNaN_IsRejectedNamingTheRow()
    {
        float[] gallery = new float[3 * Dim];
        gallery[2 * Dim + 1] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ReIdRank("Top", gallery, Dim, "Features"));
        Assert.Contains("Gallery feature 2", ex.Message);
    }

    [Fact]
    public void GalleryNotAMultipleOfTheDimension_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ReIdRank("Top", new float[10], Dim, "Features"));
        Assert.Contains("multiple", ex.Message);
    }
}
