using ReId.MLNet.Data;
using ReId.Training.Augmentation;
using ReId.Training.Sampling;
using SkiaSharp;

namespace ReId.Training.Tests.Augmentation;

public sealed class BatchLoaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "reid-batchloader-" + Guid.NewGuid().ToString("N"));
    private readonly List<ReIdSample> _samples = [];

    public BatchLoaderTests()
    {
        Directory.CreateDirectory(_dir);
        for (int id = 0; id < 4; id++)
        {
            for (int n = 0; n < 3; n++)
            {
                string path = Path.Combine(_dir, $"{id}_{n}.png");
                using (var bitmap = new SKBitmap(6, 12))
                {
                    for (int y = 0; y < 12; y++)
                    {
                        for (int x = 0; x < 6; x++)
                        {
                            bitmap.SetPixel(x, y, new SKColor((byte)(id * 60), (byte)(n * 80), (byte)(x * 40 + y * 5)));
                        }
                    }

                    using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(path, data.ToArray());
                }

                _samples.Add(new ReIdSample(path, 100 + id, n + 1, DatasetSplit.Train, Label: id));
            }
        }
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private BatchLoader Loader(int workers, bool cache = true) => new(
        _samples,
        new RandomIdentitySampler([.. _samples.Select(s => s.Label)], 2, 2, seed: 3),
        AugmentationPipeline.ForTraining(new AugmentationOptions { Height = 12, Width = 6, Padding = 2, ColorJitterProbability = 0.5, GrayscaleProbability = 0.3 }),
        new BatchLoaderOptions { Workers = workers, Prefetch = 2, Seed = 5, CacheDecodedImages = cache });

    [Fact]
    public void OrderEqualsSamplerOrderWithLabelsAndCameras()
    {
        var loader = Loader(2);
        var expected = loader.Sampler.EpochBatches(0);
        var batches = loader.Batches(new SamplerPosition(0, 0)).ToList();
        Assert.Equal(expected.Count, batches.Count);
        for (int b = 0; b < batches.Count; b++)
        {
            Assert.Equal(expected[b], batches[b].Indices);
            Assert.Equal(expected[b].Select(i => _samples[i].Label), batches[b].Labels);
            Assert.Equal(expected[b].Select(i => _samples[i].Camera), batches[b].Cameras);
            Assert.Equal(new SamplerPosition(0, b + 1), batches[b].Next);
            Assert.Equal(4 * 3 * 12 * 6, batches[b].Images.Length);
        }

        using var images = batches[0].ImagesTensor();
        Assert.Equal([4L, 3, 12, 6], images.shape);
    }

    [Fact]
    public void DeterministicAcrossRunsWorkersAndResume()
    {
        var a = Loader(2).Batches(new SamplerPosition(1, 0)).SelectMany(b => b.Images).ToArray();
        var b = Loader(2, cache: false).Batches(new SamplerPosition(1, 0)).SelectMany(x => x.Images).ToArray();
        var c = Loader(1).Batches(new SamplerPosition(1, 0)).SelectMany(x => x.Images).ToArray();
        Assert.Equal(a, b);
        Assert.Equal(a, c);
        var all = Loader(2).Batches(new SamplerPosition(1, 0)).ToList();
        var resumed = Loader(2).Batches(new SamplerPosition(1, 1)).ToList();
        Assert.Equal(all.Skip(1).SelectMany(x => x.Images), resumed.SelectMany(x => x.Images));
        var otherEpoch = Loader(2).Batches(new SamplerPosition(2, 0)).SelectMany(x => x.Images).ToArray();
        Assert.NotEqual(a, otherEpoch);
    }

    [Fact]
    public void EvaluationPipelineGivesNormalisedDecodedPixels()
    {
        var pipeline = AugmentationPipeline.ForEvaluation(new AugmentationOptions { Height = 12, Width = 6, Normalization = "half" });
        var rgb = ImageDecoder.DecodeResized(_samples[5].ImagePath, 12, 6);
        // Sample 5 = identity 1, n 2: R = 60, G = 160, B at (x 2, y 3) = 95.
        int at = (3 * 6 + 2) * 3;
        Assert.Equal(new byte[] { 60, 160, 95 }, rgb[at..(at + 3)]);
        var output = new float[pipeline.ImageSize];
        pipeline.Process(rgb, new Random(0), output);
        Assert.Equal(60 / 255f * 2 - 1, output[3 * 6 + 2], 5);
        Assert.Equal(95 / 255f * 2 - 1, output[2 * 72 + 3 * 6 + 2], 5);
    }

    [Fact]
    public void StoppingEarlyEndsTheProducerAndLoadIsRepeatable()
    {
        var loader = Loader(2);
        var first = loader.Batches(new SamplerPosition(0, 0)).First();
        var again = loader.Load(loader.Sampler.EpochBatches(0)[0], 0, 0, new SamplerPosition(0, 1));
        Assert.Equal(first.Images, again.Images);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => loader.Batches(new SamplerPosition(0, 0), cts.Token).ToList());
    }

    [Fact]
    public void MissingImageNamesTheFile()
    {
        _samples[0] = _samples[0] with { ImagePath = Path.Combine(_dir, "missing.png") };
        var ex = Assert.Throws<FileNotFoundException>(() => Loader(2, cache: false).Batches(new SamplerPosition(0, 0)).ToList());
        Assert.Contains("missing.png", ex.Message);
    }
}
