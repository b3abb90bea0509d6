using ReId.Training.Augmentation;
using ReId.Training.Engine;
using ReId.Training.Models.Backbones;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Utils;

/// <summary>
/// Channels-last training is only worth its speed if oneDNN's NHWC kernels compute the same thing: every parameter's float32
/// gradient through a channels-last batch is checked against a float64 copy of the network on the NCHW batch (libtorch
/// runs float64 convolutions without oneDNN, so that is a second implementation, not the same kernels twice).
/// </summary>
public sealed class ChannelsLastTests
{
    [Fact]
    public void ABatchKeepsItsValuesAndGetsNhwcStrides()
    {
        using var x = arange(2 * 3 * 4 * 5, ScalarType.Float32).reshape(2, 3, 4, 5);
        using var y = ChannelsLast.From(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(ChannelsLast.Is(y));
        Assert.False(ChannelsLast.Is(x));
        Assert.True(x.eq(y).all().item<bool>());
        using var flat = y.permute(0, 2, 3, 1).contiguous().flatten();
        Assert.Equal([0f, 20, 40, 1], flat.data<float>().Take(4).ToArray()); // pixel (0, 0) of channels 0, 1, 2, then pixel (0, 1)
        Assert.Throws<ArgumentException>(() => ChannelsLast.From(zeros(3, 4, 5)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheTrainersBatchesFollowTheChannelsLastOption(bool channelsLast)
    {
        Assert.True(new TrainingOptions().ChannelsLast, "channels-last is the default");
        float[] pixels = [.. Enumerable.Range(0, 2 * 3 * 4 * 2).Select(i => (float)i)];
        var batch = new LoadedBatch(pixels, [0, 1], [1, 2], [0, 1], 4, 2, new SamplerPosition(1, 1));
        using var scope = NewDisposeScope();
        var record = ReIdTrainer.ToRecord(batch, [], new Dictionary<int, long> { [1] = 0, [2] = 1 }, false, Normalization.FromName("imagenet"), CPU, channelsLast);
        Assert.Equal(channelsLast, ChannelsLast.Is(record.Images));
        Assert.Equal(new long[] { 2, 3, 4, 2 }, record.Images.shape);
        Assert.Equal(pixels, record.Images.contiguous().data<float>().ToArray());
    }

    /// <summary>
    /// Float32 training of a randomly initialised deep network is itself far from float64 here: rounding flips a few ReLUs and
    /// max-pool winners, which moves whole gradients (measured through NCHW: 1.5 % relative L2 error on ResNet-18's early
    /// layers, 2–3 % on ResNet-50-IBN's), and where NCHW happens to flip none, channels-last may flip one (ResNet-18's layer3.1
    /// and layer4.0: 0.3–0.4 % against 3e-6). So each parameter's channels-last error is held to twice the NCHW error of the
    /// same parameter or 1 %, whichever is larger (measured ratios where both flip: 0.9–1.3); a wrong kernel, like the O(1)
    /// errors of <see cref="OneDnnSafeConvolution"/>'s bug, is far outside that.
    /// </summary>
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50-ibn")]
    public void ResNetGradientsThroughAChannelsLastBatchAreAsCloseToFloat64AsNchwOnes(string backbone)
    {
        manual_seed(7);
        using var nhwcNet = ResNet.Create(backbone);
        using var nchwNet = ResNet.Create(backbone);
        using var net64 = ResNet.Create(backbone);
        nchwNet.load_state_dict(nhwcNet.state_dict());
        net64.load_state_dict(nhwcNet.state_dict());
        net64.to(ScalarType.Float64);
        using var x = randn(8, 3, 128, 64);
        using var g = randn(8, nhwcNet.OutputChannels, 8, 4);
        using (var nhwc = ChannelsLast.From(x))
        using (var y = Run(nhwcNet, nhwc, g))
            Assert.True(ChannelsLast.Is(y), "the feature map left channels-last order, so later layers ran NCHW kernels");
        using (Run(nchwNet, x, g)) { }
        using (var x64 = x.to(ScalarType.Float64))
        using (var g64 = g.to(ScalarType.Float64))
        using (Run(net64, x64, g64)) { }
        var nchw = nchwNet.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var reference = net64.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        var failures = new List<string>();
        foreach (var (name, p) in nhwcNet.named_parameters())
        {
            using var scope = NewDisposeScope();
            var expected = reference[name].grad!;
            Assert.True(isfinite(p.grad!).all().item<bool>(), $"{name}: not finite");
            double norm = Math.Max(1e-6, expected.norm().item<double>());
            double error = (p.grad!.to(ScalarType.Float64) - expected).norm().item<double>() / norm;
            double nchwError = (nchw[name].grad!.to(ScalarType.Float64) - expected).norm().item<double>() / norm;
            if (error > Math.Max(2 * nchwError, 1e-2))
                failures.Add($"{name}: channels-last relative error {error:G3}, NCHW {nchwError:G3}");
            compared++;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(compared > 50, $"only {compared} parameters compared");
    }

    private static Tensor Run(ResNet net, Tensor x, Tensor upstream)
    {
        net.train();
        var y = net.forward(x);
        y.backward([upstream]);
        return y;
    }
}
