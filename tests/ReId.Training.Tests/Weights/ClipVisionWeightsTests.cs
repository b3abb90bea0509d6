using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using TorchSharp;

namespace ReId.Training.Tests.Weights;

public sealed class ClipVisionWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipw").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ClipVisionTransformer Tiny(int seed)
    {
        torch.manual_seed(seed);
        var m = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 2, PatchSize = 8, InputHeight = 32, InputWidth = 32, OutputDim = 16,
        });
        m.eval();
        return m;
    }

    [Theory]
    [InlineData(ClipLayout.OpenAi)]
    [InlineData(ClipLayout.HuggingFace)]
    public void SavedLayoutLoadsBackWithInferredArchitectureAndSameOutputs(ClipLayout layout)
    {
        using var a = Tiny(3);
        var path = Path.Combine(_dir, $"{layout}.safetensors");
        ClipVisionWeights.Save(a, path, layout);
        var names = SafetensorsFile.Read(path).Tensors.Keys.ToList();
        Assert.Equal(layout, ClipVisionWeights.DetectLayout(names, path));
        if (layout == ClipLayout.HuggingFace)
        {
            Assert.Contains("vision_model.encoder.layers.1.self_attn.k_proj.weight", names);
            Assert.Contains("vision_model.pre_layrnorm.bias", names);
        }
        else Assert.Contains("visual.transformer.resblocks.1.attn.in_proj_weight", names);

        var (b, report) = ClipVisionWeights.Load(path);
        using (b)
        {
            Assert.True(report.IsExact, report.ToString());
            Assert.Equal(64, b.Options.Width);
            Assert.Equal(2, b.Options.Layers);
            Assert.Equal(8, b.Options.PatchSize);
            Assert.Equal(16, b.Options.OutputDim);
            Assert.Equal(1, b.Options.EffectiveHeads);
            using var x = torch.randn(2, 3, 32, 32);
            using var ya = a.forward(x);
            using var yb = b.forward(x);
            Assert.True((ya - yb).abs().max().item<float>() < 1e-6);
        }
    }

    [Fact]
    public void NonSquareInputResizesTheGridAndKeepsTheClassPosition()
    {
        using var a = Tiny(4);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipVisionWeights.Save(a, path, ClipLayout.HuggingFace);
        var (b, report) = ClipVisionWeights.Load(path, o => { o.InputHeight = 48; o.InputWidth = 24; o.CameraCount = 2; });
        using (b)
        {
            Assert.True(report.IsExact, report.ToString());
            var pos = b.state_dict()["positional_embedding"];
            Assert.Equal(new long[] { 1 + 6 * 3, 64 }, pos.shape);
            Assert.True((pos[0] - a.state_dict()["positional_embedding"][0]).abs().max().item<float>() == 0f);
            using var y = b.Encode(torch.randn(1, 3, 48, 24), torch.tensor(new long[] { 1 }));
            Assert.Equal(new long[] { 1, 16 }, y.Projected.shape);
        }
    }

    [Fact]
    public void ReportNamesMissingAndUnexpectedKeys()
    {
        using var a = Tiny(5);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipVisionWeights.Save(a, path, ClipLayout.OpenAi);
        var f = SafetensorsFile.Read(path);
        f.Tensors.Remove("visual.ln_post.bias");
        f.Tensors["visual.extra"] = new SafetensorsTensor("visual.extra", [1], [0f]);
        f.Tensors["token_embedding.weight"] = new SafetensorsTensor("token_embedding.weight", [1], [0f]);
        f.Write(path);
        var (b, report) = ClipVisionWeights.Load(path);
        b.Dispose();
        Assert.Equal(["ln_post.bias"], report.MissingKeys);
        Assert.Equal(["extra"], report.UnexpectedKeys);
    }

    [Fact]
    public void ModifiedResNetFileIsRejectedNamingTheFile()
    {
        torch.manual_seed(6);
        using var rn = new ClipModifiedResNet(new ClipResNetOptions
        {
            Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 64,
        });
        var path = Path.Combine(_dir, "rn.safetensors");
        ClipResNetWeights.Save(rn, path);
        var names = SafetensorsFile.Read(path).Tensors.Keys.ToList();
        Assert.Contains("visual.conv1.weight", names);
        Assert.Throws<InvalidDataException>(() => ClipVisionWeights.DetectLayout(names, path));
        var ex = Assert.Throws<InvalidDataException>(() => ClipVisionWeights.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("ModifiedResNet", ex.Message);
    }

    [Fact]
    public void FileWithoutAnImageEncoderIsRejected()
    {
        var path = Path.Combine(_dir, "x.safetensors");
        new SafetensorsFile([new SafetensorsTensor("foo", [1], [1f])]).Write(path);
        var ex = Assert.Throws<InvalidDataException>(() => ClipVisionWeights.Load(path));
        Assert.Contains(path, ex.Message);
    }
}
