using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Pipelines;
using SkiaSharp;

namespace ReId.MLNet.Tests.Pipelines;

public class OnnxEmbedderTests : IDisposable
{
    private readonly PipelineTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>Noise images of different sizes, so resizing really resamples.</summary>
    private string[] NoiseImages(int count)
    {
        var rng = new Random(7);
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            int w = 3 + rng.Next(12), h = 3 + rng.Next(12);
            using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
            paths[i] = Path.Combine(_data.ImageDir, $"noise{i:D2}.png");
            using var image = SKImage.FromBitmap(bitmap);
            using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(paths[i], encoded.ToArray());
        }
        return paths;
    }

    [Theory]
    [InlineData("RGB", 1)]
    [InlineData("BGR", 3)]
    public void BatchedEmbeddings_EqualTheMlNetChain(string channelOrder, int batchSize)
    {
        string[] paths = NoiseImages(7);
        string package = _data.Package("p" + channelOrder, channelOrder);
        var ml = new MLContext(seed: 1);
        var rows = paths.Select(p => new ImageRow { ImagePath = p }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var chain = ml.Transforms.ReIdEmbed("Embedding", package, nameof(ImageRow.ImagePath)).Fit(data);
        var expected = chain.Transform(data).GetColumn<VBuffer<float>>("Embedding").Select(v => v.DenseValues().ToArray()).ToArray();

        using var embedder = new OnnxEmbedder(package, batchSize: batchSize);
        float[] actual = embedder.Embed(paths);

        Assert.Equal(PipelineTestData.EmbeddingSize, embedder.EmbeddingSize);
        Assert.Equal(paths.Length * 4, actual.Length);
        for (int i = 0; i < paths.Length; i++)
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(expected[i][j] - actual[i * 4 + j]) < 1e-5, $"image {i} [{j}]: {expected[i][j]} vs {actual[i * 4 + j]}");
    }

    [Fact]
    public void SolidImages_MatchHandComputation_AndProgressReachesTotal()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        _data.SolidImage("b.png", 3, 9, 10, 220, 130);
        var reports = new List<(long Done, long Total)>();
        using var embedder = new OnnxEmbedder(_data.Package(), new ReIdEmbedOptions { ImageFolder = _data.ImageDir }, batchSize: 1);

        float[] e = embedder.Embed(["a.png", "b.png"], new SyncProgress(reports));

        Assert.Equal(_data.Expected("a.png"), e[..4], new ToleranceComparer());
        Assert.Equal(_data.Expected("b.png"), e[4..], new ToleranceComparer());
        Assert.Equal((2L, 2L), reports[^1]);
    }

    [Fact]
    public void MlNetChainEmbedder_AndOnnxEmbedder_GiveTheSameRowsInTheSameOrder()
    {
        string[] paths = NoiseImages(40);
        string package = _data.Package();
        using var chain = new MlNetChainEmbedder(package);
        using var batched = new OnnxEmbedder(package, batchSize: 16);

        float[] a = chain.Embed(paths);
        float[] b = batched.Embed(paths);

        Assert.Equal(chain.EmbeddingSize, batched.EmbeddingSize);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"value {i}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void EmbedDataView_GivesReIdEmbedsValuesInRowOrder()
    {
        string[] paths = NoiseImages(9);
        string package = _data.Package();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { ImagePath = p }).ToArray());
        var expected = ml.Transforms.ReIdEmbed("Features", package, nameof(ImageRow.ImagePath)).Fit(data).Transform(data)
            .GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToArray();

        // GpuDeviceId with the CPU fallback: the CUDA path where a device exists, CPU here.
        using var embedder = new OnnxEmbedder(package, new ReIdEmbedOptions { GpuDeviceId = 0 }, batchSize: 4);
        var view = embedder.EmbedDataView(ml, data, "Features", nameof(ImageRow.ImagePath));

        Assert.Equal(paths, view.GetColumn<string>(nameof(ImageRow.ImagePath)).ToArray());
        Assert.Equal(4, ((VectorDataViewType)view.Schema["Features"].Type).Size);
        var actual = view.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.Equal(paths.Length, actual.Length);
        for (int i = 0; i < paths.Length; i++)
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(expected[i][j] - actual[i][j]) < 1e-5, $"image {i} [{j}]: {expected[i][j]} vs {actual[i][j]}");
        Assert.Throws<ArgumentException>(() => embedder.EmbedDataView(ml, data, "Features", "NoSuchColumn"));
    }

    [Fact]
    public void GpuDeviceWithCpuFallback_RunsOnCpuHere()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        using var embedder = new OnnxEmbedder(_data.Package(), new ReIdEmbedOptions { ImageFolder = _data.ImageDir, GpuDeviceId = 0 });

        Assert.Equal(_data.Expected("a.png"), embedder.Embed(["a.png"]), new ToleranceComparer());
    }

    [Fact]
    public void EmptyList_GivesEmptyResult()
    {
        using var embedder = new OnnxEmbedder(_data.Package());
        Assert.Empty(embedder.Embed([]));
    }

    private sealed class SyncProgress(List<(long, long)> sink) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => sink.Add(value);
    }

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-4;

        public int GetHashCode(float obj) => 0;
    }
}
