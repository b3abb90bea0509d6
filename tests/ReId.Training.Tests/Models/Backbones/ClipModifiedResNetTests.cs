using ReId.Training.Models.Backbones;
using TorchSharp;

namespace ReId.Training.Tests.Models.Backbones;

public sealed class ClipModifiedResNetTests
{
    /// <summary>A ModifiedResNet small enough for CI: width 8 (layer4 has 256 channels), one block per layer, 64×32 input.</summary>
    internal static ClipResNetOptions TinyOptions(int lastStride) => new()
    {
        Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32, LastStride = lastStride,
    };

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(1, 4, 2)]
    public void EncodeGivesProjectionPooledMapAndFeatureMapOfTheRightShapes(int lastStride, int gridH, int gridW)
    {
        torch.manual_seed(1);
        using var m = new ClipModifiedResNet(TinyOptions(lastStride));
        m.eval();
        Assert.Equal(gridH, m.Options.GridHeight);
        Assert.Equal(gridW, m.Options.GridWidth);
        Assert.Equal(256, m.FeatureChannels);
        Assert.Equal(new long[] { 1 + gridH * gridW, 256 }, m.state_dict()["attnpool.positional_embedding"].shape);

        using var x = torch.randn(3, 3, 64, 32);
        using var o = m.Encode(x);
        Assert.Equal(new long[] { 3, 16 }, o.Projected.shape);
        Assert.Equal(new long[] { 3, 256 }, o.Pooled.shape);
        Assert.Equal(new long[] { 3, 256, gridH, gridW }, o.FeatureMap.shape);
        using var pooled = o.FeatureMap.mean([2, 3]);
        Assert.True((pooled - o.Pooled).abs().max().item<float>() < 1e-6f);
        using var y = m.forward(x);
        Assert.True((y - o.Projected).abs().max().item<float>() == 0f);
    }

    [Fact]
    public void ParameterNamesFollowOpenAiCheckpoints()
    {
        using var m = new ClipModifiedResNet(TinyOptions(1));
        var names = m.state_dict().Keys.ToHashSet();
        foreach (var expected in new[]
        {
            "conv1.weight", "bn1.running_mean", "conv2.weight", "bn2.weight", "conv3.weight", "bn3.running_var",
            "layer1.0.conv1.weight", "layer1.0.bn3.bias", "layer1.0.downsample.1.weight", "layer1.0.downsample.2.running_mean",
            "layer2.0.downsample.1.weight", "layer4.0.downsample.1.weight", "layer4.0.downsample.2.weight",
            "attnpool.positional_embedding", "attnpool.q_proj.weight", "attnpool.k_proj.bias", "attnpool.v_proj.weight", "attnpool.c_proj.bias",
        })
            Assert.Contains(expected, names);
        Assert.DoesNotContain(names, n => n.Contains("downsample.0.") || n.Contains("avgpool"));
        Assert.DoesNotContain(names, n => n.StartsWith("conv1.bias") || n.Contains("conv2.bias"));
    }

    [Fact]
    public void LastStrideOneKeepsLayer4AtLayer3Resolution()
    {
        torch.manual_seed(2);
        using var two = new ClipModifiedResNet(TinyOptions(2));
        using var one = new ClipModifiedResNet(TinyOptions(1));
        Assert.Equal(32, two.Options.Stride);
        Assert.Equal(16, one.Options.Stride);
        // The standard sizes: 224 gives CLIP's 7×7 grid; 256×128 gives 8×4, or 16×8 with last stride 1 (CLIP-ReID).
        Assert.Equal((7, 7), (new ClipResNetOptions().GridHeight, new ClipResNetOptions().GridWidth));
        var reid = new ClipResNetOptions { InputHeight = 256, InputWidth = 128 };
        Assert.Equal((8, 4), (reid.GridHeight, reid.GridWidth));
        reid.LastStride = 1;
        Assert.Equal((16, 8), (reid.GridHeight, reid.GridWidth));
    }

    [Fact]
    public void RealSizesAreConsistentAndDefaultHeadsFollowOpenAiRule()
    {
        var rn50 = new ClipResNetOptions();
        rn50.Validate();
        Assert.Equal(32, rn50.EffectiveHeads);
        Assert.Equal(2048, rn50.EmbedDim);
        var rn50x4 = new ClipResNetOptions { Layers = [4, 6, 10, 6], Width = 80, OutputDim = 640, InputHeight = 288, InputWidth = 288 };
        rn50x4.Validate();
        Assert.Equal(40, rn50x4.EffectiveHeads);
        Assert.Equal((9, 9), (rn50x4.GridHeight, rn50x4.GridWidth));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void InvalidOptionsAreRejected(int lastStride)
    {
        var o = TinyOptions(lastStride);
        Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Throws<ArgumentException>(() => new ClipResNetOptions { Layers = [1, 1, 1] }.Validate());
        Assert.Throws<ArgumentException>(() => new ClipResNetOptions { InputHeight = 16 }.Validate());
        Assert.Throws<ArgumentException>(() => new ClipResNetOptions { Heads = 3 }.Validate());
    }

    [Fact]
    public void WrongInputSizeIsAClearError()
    {
        using var m = new ClipModifiedResNet(TinyOptions(2));
        m.eval();
        var ex = Assert.Throws<ArgumentException>(() => m.forward(torch.randn(1, 3, 128, 64)));
        Assert.Contains("[B, C, 2, 1]", ex.Message);
    }
}
