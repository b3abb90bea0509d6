using System.Text.Json;
using ReId.MLNet.Onnx;
using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using TorchSharp;

namespace ReId.Cli.Tests.Commands;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("export-cmd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TinyWeights(ClipLayout layout)
    {
        torch.manual_seed(2);
        using var m = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 8, InputHeight = 16, InputWidth = 16, OutputDim = 12 });
        var path = Path.Combine(_dir, "w.safetensors");
        ClipVisionWeights.Save(m, path, layout);
        return path;
    }

    [Theory]
    [InlineData(ClipLayout.OpenAi)]
    [InlineData(ClipLayout.HuggingFace)]
    public void WritesAModelPackageWithTheRequestedInputSize(ClipLayout layout)
    {
        var weights = TinyWeights(layout);
        var output = Path.Combine(_dir, "pkg", "model.onnx");
        var (code, stdout, stderr) = CliRunner.Run("export", "--backbone", "clip-vit", "--weights", weights, "--input-size", "32x16", "--out", output, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(12, doc.RootElement.GetProperty("EmbeddingSize").GetInt32());
        var package = ModelPackage.Read(Path.Combine(_dir, "pkg"));
        Assert.Equal(32, package.InputHeight);
        Assert.Equal(16, package.InputWidth);
        Assert.Equal(12, package.EmbeddingSize);
        Assert.Equal("bicubic", package.Resize);
        Assert.Equal(0.48145466f, package.Mean[0]);
        OnnxModelChecker.Check(File.ReadAllBytes(output));
    }

    [Fact]
    public void BadInputSizeAndUnknownBackboneExitWithTwo()
    {
        var weights = TinyWeights(ClipLayout.OpenAi);
        var (code, _, stderr) = CliRunner.Run("export", "--backbone", "clip-vit", "--weights", weights, "--input-size", "32by16", "--out", Path.Combine(_dir, "model.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("--input-size", stderr);
        (code, _, stderr) = CliRunner.Run("export", "--backbone", "nope", "--weights", weights, "--out", Path.Combine(_dir, "model.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("nope", stderr);
    }
}
