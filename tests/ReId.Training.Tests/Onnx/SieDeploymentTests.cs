using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Pipelines;
using ReId.Training.Augmentation;
using ReId.Training.Engine;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Onnx;

/// <summary>
/// A CLIP ViT with SIE camera embeddings, exported to a package with a camera input and deployed through ReIdEmbed, a saved
/// .zip reloaded in a fresh MLContext, and ONNX Runtime during training, against TorchSharp's own forward with the same positions.
/// </summary>
public sealed class SieDeploymentTests : IDisposable
{
    private const int H = 32, W = 16, Dim = 24;
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];
    private readonly string _root = Directory.CreateTempSubdirectory("reid-sie").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private static ClipVisionTransformer Vit(int cameras)
    {
        torch.manual_seed(21);
        var m = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 1, PatchSize = 8, InputHeight = H, InputWidth = W, OutputDim = Dim, CameraCount = cameras, CameraCoefficient = 3f,
        });
        m.eval();
        return m;
    }

    /// <summary>Model-sized noise PNGs (no resampling anywhere) and their normalised NCHW pixels computed here from the decoded bytes.</summary>
    private (string[] Paths, float[] Pixels) Images(int count)
    {
        var rng = new Random(5);
        var paths = new string[count];
        var pixels = new float[count * 3 * H * W];
        for (int n = 0; n < count; n++)
        {
            using var bitmap = new SKBitmap(W, H, SKColorType.Rgba8888, SKAlphaType.Opaque);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    var c = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                    bitmap.SetPixel(x, y, c);
                    byte[] rgb = [c.Red, c.Green, c.Blue];
                    for (int ch = 0; ch < 3; ch++)
                        pixels[((n * 3 + ch) * H + y) * W + x] = (rgb[ch] / 255f - Mean[ch]) / Std[ch];
                }
            paths[n] = Path.Combine(_root, $"img{n}.png");
            using var image = SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(paths[n], png.ToArray());
        }
        return (paths, pixels);
    }

    /// <summary>TorchSharp's L2-normalised projected class token for the given camera positions.</summary>
    private static float[] TorchEmbeddings(ClipVisionTransformer m, float[] pixels, long[] positions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(pixels, [positions.Length, 3, H, W]);
        var y = m.Encode(x, torch.tensor(positions)).Projected;
        return nn.functional.normalize(y, dim: 1).contiguous().data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(max < tolerance, $"max difference {max}");
    }

    private sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public int Camera { get; set; }
    }

    [Fact]
    public void SiePackage_ThroughReIdEmbedAndAReloadedZip_MatchesTorchWithTheSameCameraPositions()
    {
        using var m = Vit(cameras: 3);
        // Dataset camera ids 1, 4, 6 (unsorted, gapped): positions 0, 1, 2.
        string dir = Path.Combine(_root, "pkg");
        var package = ModelPackageExporter.Write(dir, m, H, W, Dim, "clip-vit-sie", Mean, Std, "bilinear", cameraIds: [6, 1, 4, 1]);
        Assert.Equal(OnnxExporter.CameraInputName, package.CameraInputName);
        Assert.Equal([1, 4, 6], package.CameraIds!);
        Assert.Null(package.ViewInputName);

        var (paths, pixels) = Images(4);
        int[] cameras = [4, 1, 6, 4];
        long[] positions = [1, 0, 2, 1];
        var rows = paths.Select((p, i) => new Row { ImagePath = p, Camera = cameras[i] }).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = dir, CameraColumnName = "Camera" }, "ImagePath").Fit(data);
        string zip = Path.Combine(_root, "sie.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(dir, true);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out _);
        float[] got = [.. loaded.Transform(fresh.Data.LoadFromEnumerable(rows)).GetColumn<VBuffer<float>>("Embedding").SelectMany(v => v.DenseValues())];

        float[] expected = TorchEmbeddings(m, pixels, positions);
        AssertClose(expected, got);
        // Camera 1 instead of 4 for the first image changes its embedding: the camera really reaches the model.
        float[] otherCamera = TorchEmbeddings(m, pixels[..(3 * H * W)], [0]);
        Assert.True(otherCamera.Zip(got[..Dim], (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public void AnUnknownCamera_GivesTheEncoderWithoutItsCameraTerm()
    {
        using var m = Vit(cameras: 3);
        using var plain = Vit(cameras: 0);
        var weights = m.state_dict().Where(p => !p.Key.Contains("cv_embed")).ToDictionary(p => p.Key, p => p.Value);
        plain.load_state_dict(weights);
        ModelPackageExporter.Write(Path.Combine(_root, "pkg"), m, H, W, Dim, "clip-vit-sie", Mean, Std, "bilinear", cameraIds: [1, 2, 3]);
        var (paths, pixels) = Images(2);

        using var embedder = new OnnxEmbedder(Path.Combine(_root, "pkg"));
        float[] got = embedder.Embed(paths, [9, 0], null);

        using var noGrad = torch.no_grad();
        using var expected = nn.functional.normalize(plain.forward(torch.tensor(pixels, [2, 3, H, W])), dim: 1);
        AssertClose(expected.data<float>().ToArray(), got);
    }

    [Fact]
    public void FeatureExtractor_FeedsCameraPositionsToOnnxRuntimeAndTorch()
    {
        using var m = Vit(cameras: 3);
        var (paths, pixels) = Images(5);
        int[] cameras = [2, 3, 1, 1, 2];
        var samples = paths.Select((p, i) => new ReIdSample(p, i, cameras[i], DatasetSplit.Query)).ToList();
        var index = new SortedIdIndex([1, 2, 3]);
        var options = new AugmentationOptions { Height = H, Width = W, Normalization = "imagenet" };

        float[] ort = FeatureExtractor.EmbedWithOnnxRuntime(m, Dim, samples, options, batchSize: 2, cameraIndex: s => index.IndexOf(s.Camera));
        float[] torchSharp = FeatureExtractor.Embed(m, samples, options, batchSize: 2, cameraIndex: s => index.IndexOf(s.Camera));
        float[] expected = TorchEmbeddings(m, pixels, [.. cameras.Select(c => (long)c - 1)]);

        AssertClose(expected, ort);
        AssertClose(expected, torchSharp);
    }

    [Fact]
    public void CamerasOfferedToAModelWithoutCameraEmbeddings_GiveAnImageOnlyExport()
    {
        using var m = Vit(cameras: 0);
        var bytes = OnnxExporter.Export(m, H, W, Dim, cameraInput: true, viewInput: true);
        Assert.False(OnnxExporter.HasInput(bytes, OnnxExporter.CameraInputName));
        Assert.False(OnnxExporter.HasInput(bytes, OnnxExporter.ViewInputName));
        var package = ModelPackageExporter.Write(Path.Combine(_root, "plain"), m, H, W, Dim, "clip-vit", cameraIds: [1, 2], viewIds: [0, 1]);
        Assert.Null(package.CameraInputName);
        Assert.Null(package.CameraIds);
        Assert.Null(package.ViewInputName);

        // And the ONNX Runtime path accepts the offered positions and ignores them.
        var (paths, _) = Images(2);
        var samples = paths.Select(p => new ReIdSample(p, 1, 1, DatasetSplit.Query)).ToList();
        var options = new AugmentationOptions { Height = H, Width = W, Normalization = "imagenet" };
        AssertClose(FeatureExtractor.EmbedWithOnnxRuntime(m, Dim, samples, options),
            FeatureExtractor.EmbedWithOnnxRuntime(m, Dim, samples, options, cameraIndex: _ => 0), 1e-7);
    }
}
