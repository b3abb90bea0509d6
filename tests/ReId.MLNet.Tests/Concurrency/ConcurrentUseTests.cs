using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;
using ReId.MLNet.Ranking;
using ReId.MLNet.Tests.Pipelines;
using SkiaSharp;

namespace ReId.MLNet.Tests.Concurrency;

/// <summary>One loaded model and one gallery index shared by several threads give exactly the sequential results.</summary>
public class ConcurrentUseTests
{
    private const int Threads = 8;

    private sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class EmbeddingOutput
    {
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void OneLoadedZipUsedFromEightThreadsWithAnEnginePerThreadMatchesTheSequentialRun()
    {
        using var data = new PipelineTestData();
        var rng = new Random(5);
        var images = Enumerable.Range(0, 24).Select(i => i % 2 == 0
            ? data.SolidImage($"s{i}.png", 5 + i % 3, 9, (byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256))
            : data.QuadrantImage($"q{i}.png", [.. Enumerable.Range(0, 4).Select(_ => new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)))])).ToArray();
        string zip = Path.Combine(data.Root, "model.zip");
        ReIdModelZip.Create(data.Package(), zip);

        var ml = new MLContext(1);
        var model = ml.Model.Load(zip, out _);
        var sequentialEngine = ml.Model.CreatePredictionEngine<ImageInput, EmbeddingOutput>(model);
        var expected = images.Select(p => sequentialEngine.Predict(new ImageInput { ImagePath = p }).Features.ToArray()).ToArray();

        var results = new float[Threads][][];
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            // PredictionEngine is not thread-safe; the transformer is, so each thread makes its own engine from the shared one.
            var engine = ml.Model.CreatePredictionEngine<ImageInput, EmbeddingOutput>(model);
            var mine = new float[images.Length][];
            start.SignalAndWait();
            for (int round = 0; round < 5; round++)
                foreach (int i in Enumerable.Range(0, images.Length).Select(k => (k * (2 * t + 1) + round) % images.Length))
                {
                    float[] e = engine.Predict(new ImageInput { ImagePath = images[i] }).Features.ToArray();
                    if (mine[i] is { } earlier) Assert.Equal(earlier, e);
                    mine[i] = e;
                }
            results[t] = mine;
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();

        for (int t = 0; t < Threads; t++)
            for (int i = 0; i < images.Length; i++)
                Assert.True(expected[i].AsSpan().SequenceEqual(results[t][i]), $"thread {t}, image {i}: embedding differs from the sequential run");
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void AGalleryIndexSearchedFromSeveralThreadsMatchesTheSequentialSearch(DistanceMetric metric)
    {
        const int dim = 16, galleryRows = 3000, queryRows = 64, k = 10;
        var rng = new Random(9);
        float[] gallery = [.. Enumerable.Range(0, galleryRows * dim).Select(_ => (float)rng.NextDouble() - 0.5f)];
        float[] queries = [.. Enumerable.Range(0, queryRows * dim).Select(_ => (float)rng.NextDouble() - 0.5f)];
        int[] identities = [.. Enumerable.Range(0, galleryRows).Select(i => i % 97)];
        using var sequential = new GalleryIndex(dim, metric) { GalleryBlock = 700, QueryBlock = 16 };
        sequential.Add(gallery, identities);
        var expected = sequential.Search(queries, k);

        // The shared index is searched concurrently from its very first search, when it builds its packed copy and session.
        using var shared = new GalleryIndex(dim, metric) { GalleryBlock = 700, QueryBlock = 16 };
        shared.Add(gallery, identities);
        var results = new GallerySearchResult[Threads];
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = shared.Search(queries, k);
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();

        foreach (var r in results)
        {
            Assert.Equal(expected.Indices, r.Indices);
            Assert.Equal(expected.Identities, r.Identities);
            Assert.Equal(expected.Distances, r.Distances);
        }
    }
}
