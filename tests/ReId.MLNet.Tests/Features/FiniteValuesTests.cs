using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Features;

/// <summary>NaN and ±∞ are refused at every entry point with the row at fault; ReIdRank gives an explicit "no result".</summary>
public class FiniteValuesTests
{
    private static readonly float[] Bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001))];

    [Fact]
    public void TheVectorisedScanFindsTheSameFirstIndexAsAScalarLoop()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 2000; trial++)
        {
            int length = rng.Next(0, 200);
            var values = new float[length];
            for (int i = 0; i < length; i++)
                values[i] = rng.Next(6) switch
                {
                    0 => float.MaxValue, 1 => -float.Epsilon, 2 => BitConverter.Int32BitsToSingle(0x7F7FFFFF), _ => (float)(rng.NextDouble() * 2 - 1) * 1e30f,
                };
            for (int k = rng.Next(0, 3); k > 0 && length > 0; k--) values[rng.Next(length)] = Bad[rng.Next(Bad.Length)];
            int expected = Array.FindIndex(values, v => !float.IsFinite(v));
            Assert.Equal(expected, FiniteValues.IndexOfNonFinite(values));
        }
    }

    [Fact]
    public void AFeatureFileWithNaNNamesTheFileAndRow()
    {
        string dir = Directory.CreateTempSubdirectory("reid-nan").FullName;
        try
        {
            string path = Path.Combine(dir, "g.npy");
            var data = new float[5 * 4];
            data[3 * 4 + 2] = float.NaN;
            NpyFile.Write(path, data, 5, 4);
            var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("row 3", e.Message);
            Assert.Contains("column 2", e.Message);
            Assert.Contains("NaN", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AFeatureSetBuiltInMemoryNamesTheRowAndImage()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureSet([0, 1, 2, float.NegativeInfinity], 2, 2, ["a.jpg", "b.jpg"], [1, 2], [1, 1]));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("'b.jpg'", e.Message);
    }

    [Fact]
    public void GalleryIndexRefusesNonFiniteGalleryAndQueries()
    {
        using var index = new GalleryIndex(2);
        var e = Assert.Throws<ArgumentException>(() => index.Add([1, 0, 0, float.NaN], [1, 2]));
        Assert.Contains("row 1", e.Message);
        Assert.Equal(0, index.Count);
        index.Add([1, 0, 0, 1], [1, 2]);
        e = Assert.Throws<ArgumentException>(() => index.Search([1, 0, float.PositiveInfinity, 0], 1));
        Assert.Contains("query features: row 1", e.Message);
    }

    [Fact]
    public void EvaluationAndRerankingRefuseNonFiniteInputs()
    {
        var e = Assert.Throws<ArgumentException>(() => DistanceMatrix.Compute([1, 0], [0, 1, float.NaN, 0], 2, DistanceMetric.Cosine));
        Assert.Contains("gallery features: row 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => ReIdEvaluator.Evaluate([0.1f, float.NaN, 0.3f, 0.2f], 2, 2, [1, 2], [1, 2], [1, 1], [2, 2]));
        Assert.Contains("distance matrix: row 0", e.Message);
        float[] qg = [0.1f, 0.2f], qq = [0], gg = [0, float.PositiveInfinity, 0.5f, 0];
        e = Assert.Throws<ArgumentException>(() => KReciprocalReranker.Rerank(qg, qq, gg, 1, 2, k1: 1, k2: 1));
        Assert.Contains("gallery×gallery distance matrix: row 0", e.Message);
    }

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public int Identity { get; set; }
        public int Camera { get; set; }
    }

    [Fact]
    public void CatalogEvaluateNamesTheColumnAndRow()
    {
        var ml = new MLContext(1);
        var query = ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 0], Identity = 1, Camera = 1 } });
        var gallery = ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 0], Identity = 1, Camera = 2 }, new Row { Features = [float.NaN, 0], Identity = 2, Camera = 2 } });
        var e = Assert.Throws<ArgumentException>(() => ml.ReId().Evaluate(query, gallery));
        Assert.Contains("gallery column 'Features': row 1", e.Message);
    }

    private sealed class QueryRow
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void ReIdRankGivesANonFiniteQueryNoResultAndLeavesTheOthersIntact(DistanceMetric metric)
    {
        float[] gallery = [1, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 1, /**/ 1, 1, 0];
        long[] ids = [10, 11, 12, 13];
        var queries = new[]
        {
            new QueryRow { Features = [0.9f, 0.1f, 0] }, new QueryRow { Features = [0, float.NaN, 1] },
            new QueryRow { Features = [float.PositiveInfinity, 0, 0] }, new QueryRow { Features = [0, 0.2f, 1] },
        };
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(queries);
        var model = ml.Transforms.ReIdRank("Top", gallery, 3, "Features", ids, topK: 2, metric: metric).Fit(data);
        string zip = Path.Combine(Path.GetTempPath(), $"reid-rank-nan-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext(2).Model.Load(zip, out _);
            foreach (var transformer in new[] { model, loaded })
            {
                var output = transformer.Transform(data);
                var top = output.GetColumn<VBuffer<long>>("Top").Select(v => v.DenseValues().ToArray()).ToArray();
                var topIds = output.GetColumn<VBuffer<long>>("TopIdentities").Select(v => v.DenseValues().ToArray()).ToArray();
                var distances = output.GetColumn<VBuffer<float>>("TopDistances").Select(v => v.DenseValues().ToArray()).ToArray();
                Assert.Equal([0L, 3L], top[0]);
                Assert.Equal([10L, 13L], topIds[0]);
                Assert.Equal([2L, 1L], top[3]);
                Assert.All(distances[0].Concat(distances[3]), d => Assert.True(float.IsFinite(d)));
                foreach (int q in new[] { 1, 2 })
                {
                    Assert.Equal([-1L, -1L], top[q]);
                    Assert.Equal([-1L, -1L], topIds[q]);
                    Assert.All(distances[q], d => Assert.True(float.IsNaN(d)));
                }
            }
        }
        finally { File.Delete(zip); }
    }
}
