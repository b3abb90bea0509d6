using ReId.MLNet.Features;
using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using SkiaSharp;
using TorchSharp;

namespace ReId.Cli.Tests.Commands;

public sealed class EmbedClipCommandTests : IDisposable
{
    private static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];
    private readonly string _dir = Directory.CreateTempSubdirectory("embed-clip-cmd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Weights(ClipLayout layout)
    {
        torch.manual_seed(5);
        using var m = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 2, PatchSize = 8, InputHeight = 16, InputWidth = 16, OutputDim = 12 });
        var path = Path.Combine(_dir, $"clip-{layout}.safetensors");
        ClipVisionWeights.Save(m, path, layout);
        return path;
    }

    /// <summary>A PNG with a different random colour per pixel (so a resize or a channel swap would show).</summary>
    private static byte[] Image(string path, int width, int height, int seed)
    {
        var rng = new Random(seed);
        var rgb = new byte[width * height * 3];
        rng.NextBytes(rgb);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = 3 * (y * width + x);
                bitmap.SetPixel(x, y, new SKColor(rgb[i], rgb[i + 1], rgb[i + 2]));
            }
        using var image = SKImage.FromBitmap(bitmap);
        File.WriteAllBytes(path, image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        return rgb;
    }

    [Theory]
    [InlineData(ClipLayout.OpenAi)]
    [InlineData(ClipLayout.HuggingFace)]
    public void EmbedsImagesOfTheInputSizeWithClipNormalisationInFileNameOrder(ClipLayout layout)
    {
        string weights = Weights(layout);
        string images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var pixels = new Dictionary<string, byte[]>
        {
            ["b.png"] = Image(Path.Combine(images, "b.png"), 16, 32, 1),
            ["a.png"] = Image(Path.Combine(images, "a.png"), 16, 32, 2),
        };
        Image(Path.Combine(images, "c.png"), 40, 50, 3);  // another size: resized, only checked for shape
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        string output = Path.Combine(_dir, "out", "clip.npy");

        var (code, _, stderr) = CliRunner.Run("embed", "--backbone", "clip", "--weights", weights, "--images", images, "--input-size", "32x16", "--out", output);

        Assert.True(code == 0, stderr);
        var features = FeatureFile.Read(output);
        Assert.Equal(3, features.Rows);
        Assert.Equal(12, features.Dim);
        Assert.Equal(["a.png", "b.png", "c.png"], features.Paths.Select(p => Path.GetFileName(p)!).ToArray());

        // Independent preprocessing: bytes / 255, CLIP mean/std, CHW; the encoder from the same file; L2 norm.
        var (model, _) = ClipVisionWeights.Load(weights, o => { o.InputHeight = 32; o.InputWidth = 16; });
        using (model)
        {
            for (int row = 0; row < 2; row++)
            {
                byte[] rgb = pixels[Path.GetFileName(features.Paths[row])];
                var chw = new float[3 * 32 * 16];
                for (int c = 0; c < 3; c++)
                    for (int p = 0; p < 32 * 16; p++)
                        chw[c * 512 + p] = (rgb[3 * p + c] / 255f - ClipMean[c]) / ClipStd[c];
                using var input = torch.tensor(chw, [1, 3, 32, 16]);
                using var noGrad = torch.no_grad();
                using var y = model.forward(input);
                var expected = y.data<float>().ToArray();
                double norm = Math.Sqrt(expected.Sum(v => (double)v * v));
                for (int j = 0; j < 12; j++)
                    Assert.True(Math.Abs(expected[j] / norm - features.Features[row * 12 + j]) < 1e-5, $"row {row} dim {j}");
            }
        }
        for (int row = 0; row < 3; row++)
            Assert.Equal(1.0, Math.Sqrt(Enumerable.Range(0, 12).Sum(j => (double)features.Features[row * 12 + j] * features.Features[row * 12 + j])), 4);
    }

    [Fact]
    public void AModifiedResNetFileIsRecognisedAndEmbedsLikeTheEncoder()
    {
        torch.manual_seed(6);
        using var encoder = new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32 });
        encoder.eval();
        string weights = Path.Combine(_dir, "rn.safetensors");
        ClipResNetWeights.Save(encoder, weights);
        string images = Directory.CreateDirectory(Path.Combine(_dir, "rnimages")).FullName;
        byte[] rgb = Image(Path.Combine(images, "a.png"), 32, 64, 4);
        string output = Path.Combine(_dir, "rn.npy");

        var (code, _, stderr) = CliRunner.Run("embed", "--backbone", "clip", "--weights", weights, "--images", images, "--input-size", "64x32", "--out", output);

        Assert.True(code == 0, stderr);
        var features = FeatureFile.Read(output);
        Assert.Equal((1, 16), (features.Rows, features.Dim));
        var chw = new float[3 * 64 * 32];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 64 * 32; p++)
                chw[c * 2048 + p] = (rgb[3 * p + c] / 255f - ClipMean[c]) / ClipStd[c];
        using var input = torch.tensor(chw, [1, 3, 64, 32]);
        using var noGrad = torch.no_grad();
        using var y = encoder.forward(input);
        var expected = y.data<float>().ToArray();
        double norm = Math.Sqrt(expected.Sum(v => (double)v * v));
        for (int j = 0; j < 16; j++)
            Assert.True(Math.Abs(expected[j] / norm - features.Features[j]) < 1e-5, $"dim {j}");

        (code, _, stderr) = CliRunner.Run("export", "--backbone", "clip-rn50", "--weights", weights, "--input-size", "64x32", "--out", Path.Combine(_dir, "rnpkg"));
        Assert.True(code == 0, stderr);
        var package = ReId.MLNet.Onnx.ModelPackage.Read(Path.Combine(_dir, "rnpkg"));
        Assert.Equal((64, 32, 16), (package.InputHeight, package.InputWidth, package.EmbeddingSize));
    }

    [Fact]
    public void BadClipArgumentsExitWithTwoNamingTheOption()
    {
        string images = Directory.CreateDirectory(Path.Combine(_dir, "imgs")).FullName;
        Image(Path.Combine(images, "a.png"), 16, 32, 1);
        string output = Path.Combine(_dir, "x.npy");
        var (code, _, stderr) = CliRunner.Run("embed", "--backbone", "clip", "--images", images, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("--weights", stderr);
        (code, _, stderr) = CliRunner.Run("embed", "--backbone", "clip", "--weights", Path.Combine(_dir, "missing.safetensors"), "--images", images, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("missing.safetensors", stderr);
        string notClip = Path.Combine(_dir, "garbage.safetensors");
        File.WriteAllBytes(notClip, [1, 2, 3]);
        (code, _, stderr) = CliRunner.Run("embed", "--backbone", "clip", "--weights", notClip, "--images", images, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("garbage.safetensors", stderr);
        (code, _, stderr) = CliRunner.Run("embed", "--images", images, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("--model", stderr);
        Assert.False(File.Exists(output));
    }
}
