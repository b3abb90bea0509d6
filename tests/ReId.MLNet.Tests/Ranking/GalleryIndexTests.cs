using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Ranking;

public class GalleryIndexTests
{
    private static float[] Random(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    /// <summary>Every kernel this CPU runs: the Gemm path always, the fused one where there is AVX-512.</summary>
    private static GallerySearchKernel[] KernelsHere() =>
        FusedDotTopK.IsSupported ? [GallerySearchKernel.Gemm, GallerySearchKernel.Fused] : [GallerySearchKernel.Gemm];

    public static TheoryData<DistanceMetric, GallerySearchKernel, int> MetricsKernelsAndSizes()
    {
        var data = new TheoryData<DistanceMetric, GallerySearchKernel, int>();
        foreach (var metric in new[] { DistanceMetric.Cosine, DistanceMetric.Euclidean })
            foreach (var kernel in KernelsHere())
                foreach (int dim in new[] { 16, 37 }) data.Add(metric, kernel, dim);
        return data;
    }

    [Theory]
    [MemberData(nameof(MetricsKernelsAndSizes))]
    public void BlockedSearchEqualsBruteForce(DistanceMetric metric, GallerySearchKernel kernel, int dim)
    {
        var rng = new Random(3);
        // 101 rows: three whole 32-row panels and a partial one; 29 queries: two whole 12-query groups and a partial one.
        int ng = 101, nq = 29, k = 7;
        float[] g = Random(rng, ng * dim), q = Random(rng, nq * dim);
        int[] ids = [.. Enumerable.Range(0, ng).Select(i => 1000 + i)];
        using var index = new GalleryIndex(dim, metric) { QueryBlock = 5, GalleryBlock = 13, FusedChunkRows = 40, Kernel = kernel };
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
    public void TheFusedKernelRefusesAGpuDeviceAndNamesBothSettings()
    {
        using var index = new GalleryIndex(4) { Kernel = GallerySearchKernel.Fused, GpuDeviceId = 0 };
        index.Add([1, 0, 0, 0], [1]);
        Exception e = FusedDotTopK.IsSupported
            ? Assert.Throws<InvalidOperationException>(() => index.Search([1, 0, 0, 0], 1))
            : Assert.Throws<PlatformNotSupportedException>(() => index.Search([1, 0, 0, 0], 1));
        Assert.Contains("Kernel", e.Message);
        Assert.Contains(FusedDotTopK.IsSupported ? "GpuDeviceId" : "AVX-512", e.Message);
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

    public static TheoryData<int, GallerySearchKernel> ThreadsAndKernels()
    {
        var data = new TheoryData<int, GallerySearchKernel>();
        foreach (var kernel in KernelsHere())
            foreach (int threads in new[] { 1, 2, 3 }) data.Add(threads, kernel);
        return data;
    }

    [Theory]
    [MemberData(nameof(ThreadsAndKernels))]
    public void ThreadsAndTilesDoNotChangeTheResultAndTiesGoToTheLowerIndex(int threads, GallerySearchKernel kernel)
    {
        var rng = new Random(5);
        int dim = 8, ng = 600, nq = 9, k = 12;
        // Small integers: every product and sum is exact, so many distances tie exactly, whatever order Gemm adds in.
        float[] g = [.. Enumerable.Range(0, ng * dim).Select(_ => (float)rng.Next(-2, 3))];
        float[] q = [.. Enumerable.Range(0, nq * dim).Select(_ => (float)rng.Next(-2, 3))];
        using var index = new GalleryIndex(dim, DistanceMetric.Euclidean) { Threads = threads, GalleryBlock = 7, QueryBlock = 4, Kernel = kernel, FusedChunkRows = 64 };
        index.Add(g, [.. Enumerable.Range(0, ng)]);
        var result = index.Search(q, k);
        for (int i = 0; i < nq; i++)
        {
            var d = Enumerable.Range(0, ng).Select(j => Enumerable.Range(0, dim).Sum(t => (g[j * dim + t] - q[i * dim + t]) * (g[j * dim + t] - q[i * dim + t]))).ToArray();
            var expected = Enumerable.Range(0, ng).OrderBy(j => d[j]).ThenBy(j => j).Take(k).ToArray();
            Assert.Equal(expected, result.IndicesOf(i).ToArray());
            for (int t = 0; t < k; t++) Assert.Equal(MathF.Sqrt(d[expected[t]]), result.DistancesOf(i)[t], 1e-5);
        }
    }

    [Theory]
    [InlineData(GalleryStorage.Float16, 0.95, GallerySearchKernel.Gemm)]
    [InlineData(GalleryStorage.Int8, 0.85, GallerySearchKernel.Gemm)]
    [InlineData(GalleryStorage.Float16, 0.95, GallerySearchKernel.Auto)]
    [InlineData(GalleryStorage.Int8, 0.85, GallerySearchKernel.Auto)]
    public void CompressedStorageFindsMostOfTheExactNeighboursInLessMemory(GalleryStorage storage, double minimumRecall, GallerySearchKernel kernel)
    {
        var rng = new Random(6);
        int dim = 64, ng = 3000, nq = 50, k = 10;
        float[] g = Random(rng, ng * dim), q = Random(rng, nq * dim);
        using var exact = new GalleryIndex(dim) { Kernel = kernel };
        exact.Add(g, [.. Enumerable.Range(0, ng)]);
        using var compressed = new GalleryIndex(dim) { Storage = storage, Kernel = kernel };
        compressed.Add(g, [.. Enumerable.Range(0, ng)]);
        var a = exact.Search(q, k);
        var b = compressed.Search(q, k);
        double recall = Enumerable.Range(0, nq).Average(i => a.IndicesOf(i).ToArray().Intersect(b.IndicesOf(i).ToArray()).Count() / (double)k);
        Assert.True(recall >= minimumRecall, $"recall@{k} {recall:F3}");
        Assert.True(compressed.StorageBytes < exact.StorageBytes / (storage == GalleryStorage.Float16 ? 1.9 : 3.5));
        // Distances stay close to the exact ones for the rows both found.
        for (int i = 0; i < nq; i++)
            Assert.Equal(a.DistancesOf(i)[0], b.DistancesOf(i)[0], storage == GalleryStorage.Float16 ? 2e-3 : 2e-2);
    }

    [Fact]
    public void RowsAddedAfterASearchAreFoundAndStorageCanChange()
    {
        using var index = new GalleryIndex(2, DistanceMetric.Euclidean);
        index.Add([0, 0, 10, 10], [7, 8]);
        Assert.Equal([0], index.Search([1, 1], 1).IndicesOf(0).ToArray());
        index.Add([1, 1.1f], [9]);
        Assert.Equal([2, 0], index.Search([1, 1], 2).IndicesOf(0).ToArray());
        index.Storage = GalleryStorage.Float16;
        var r = index.Search([1, 1], 3);
        Assert.Equal([2, 0, 1], r.IndicesOf(0).ToArray());
        Assert.Equal([9, 7, 8], r.IdentitiesOf(0).ToArray());
        Assert.Equal(0.1f, r.DistancesOf(0)[0], 1e-3);
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void AHandedOverGalleryArrayGivesTheSameAnswersAsACopiedOne(DistanceMetric metric)
    {
        // AddOwned adopts the array as packed storage (reid search's path); Add copies it. Then more rows go through Add.
        var rng = new Random(3);
        const int dim = 12;
        float[] gallery = Random(rng, 40 * dim), more = Random(rng, 9 * dim), queries = Random(rng, 7 * dim);
        int[] ids = [.. Enumerable.Range(100, 40)], moreIds = [.. Enumerable.Range(500, 9)];
        (GallerySearchResult Before, GallerySearchResult After) Run(bool handOver)
        {
            using var index = new GalleryIndex(dim, metric) { GalleryBlock = 11, QueryBlock = 3 };
            if (handOver) index.AddOwned((float[])gallery.Clone(), ids);
            else index.Add(gallery, ids);
            Assert.Equal(40, index.Count);
            var before = index.Search(queries, 5);
            index.Add(more, moreIds);
            Assert.Equal(49, index.Count);
            return (before, index.Search(queries, 5));
        }
        var copied = Run(handOver: false);
        var owned = Run(handOver: true);
        Assert.Equal(copied.Before.Indices, owned.Before.Indices);
        Assert.Equal(copied.Before.Distances, owned.Before.Distances);
        Assert.Equal(copied.After.Indices, owned.After.Indices);
        Assert.Equal(copied.After.Identities, owned.After.Identities);
        Assert.Equal(copied.After.Distances, owned.After.Distances);
        Assert.Contains(copied.After.Identities, id => id >= 500); // the rows added later do take part
    }
}
