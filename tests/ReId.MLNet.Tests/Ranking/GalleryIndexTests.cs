using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Ranking;

public class GalleryIndexTests
{
    private static float[] Random(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void BlockedSearchEqualsBruteForce(DistanceMetric metric)
    {
        var rng = new Random(3);
        int dim = 16, ng = 101, nq = 23, k = 7;
        float[] g = Random(rng, ng * dim), q = Random(rng, nq * dim);
        int[] ids = [.. Enumerable.Range(0, ng).Select(i => 1000 + i)];
        using var index = new GalleryIndex(dim, metric) { QueryBlock = 5, GalleryBlock = 13 };
        index.Add(g.AsSpan(0, 40 * dim), ids.AsSpan(0, 40));
        index.Add(g.AsSpan(40 * dim), ids.AsSpan(40));
        var result = index.Search(q, k);
        float[] d = DistanceMatrix.Compute(q, g, dim, metric);
        for (int i = 0; i < nq; i++)
        {
            var expected = Enumerable.Range(0, ng).OrderBy(j => d[i * ng + j]).Take(k).ToArray();
            Assert.Equal(expected, result.IndicesOf(i).ToArray());
            for (int t = 0; t < k; t++)
            {
                Assert.Equal(d[i * ng + expected[t]], result.DistancesOf(i)[t], 1e-4);
                Assert.Equal(1000 + expected[t], result.IdentitiesOf(i)[t]);
            }
        }
    }

    [Fact]
    public void KLargerThanTheGalleryReturnsEverythingSorted()
    {
        using var index = new GalleryIndex(2);
        index.Add([1, 0, 0, 1, 0.7f, 0.7f], [1, 2, 3]);
        var r = index.Search([1, 0.1f], 10);
        Assert.Equal(3, r.K);
        Assert.Equal([0, 2, 1], r.IndicesOf(0).ToArray());
    }

    [Fact]
    public void SaveAndLoadGiveTheSameResults()
    {
        var rng = new Random(4);
        string dir = Directory.CreateTempSubdirectory("reid-index").FullName;
        try
        {
            using var index = new GalleryIndex(8, DistanceMetric.Euclidean);
            index.Add(Random(rng, 30 * 8), [.. Enumerable.Range(0, 30)]);
            float[] q = Random(rng, 4 * 8);
            var before = index.Search(q, 5);
            string path = Path.Combine(dir, "gallery.idx");
            index.Save(path);
            using var loaded = GalleryIndex.Load(path);
            var after = loaded.Search(q, 5);
            Assert.Equal(before.Indices, after.Indices);
            Assert.Equal(before.Distances, after.Distances);
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);
            var e = Assert.Throws<InvalidDataException>(() => GalleryIndex.Load(path));
            Assert.Contains("gallery.idx", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
