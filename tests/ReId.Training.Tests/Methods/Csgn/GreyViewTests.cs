using ReId.Training.Augmentation;
using ReId.Training.Methods.Csgn;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Csgn;

public sealed class GreyViewTests
{
    private static Tensor Pixel(Normalization n, float r, float g, float b) =>
        torch.tensor(new[] { (r - n.Mean[0]) / n.Std[0], (g - n.Mean[1]) / n.Std[1], (b - n.Mean[2]) / n.Std[2] }, [1, 3, 1, 1]);

    [Fact]
    public void APureRedPixelBecomesItsLumaInEveryChannelUnderHalfNormalisation()
    {
        // Raw (1, 0, 0): Y = 0.299; normalised (0.299 − 0.5) / 0.5 = −0.402 in all three channels.
        var n = Normalization.Half;
        using var x = Pixel(n, 1, 0, 0);
        using var grey = GreyView.Of(x, n);
        foreach (var v in grey.data<float>().ToArray()) Assert.Equal(-0.402f, v, 5);
    }

    [Fact]
    public void ClipStatisticsAreUndoneAndReappliedPerChannel()
    {
        // Raw (0.5, 0.25, 1.0): Y = 0.1495 + 0.14675 + 0.114 = 0.41025;
        // per channel (0.41025 − mean_c) / std_c = −0.265066, −0.182078, 0.0073946.
        var n = Normalization.Clip;
        using var x = Pixel(n, 0.5f, 0.25f, 1.0f);
        using var grey = GreyView.Of(x, n);
        var v = grey.data<float>().ToArray();
        Assert.Equal(-0.265066f, v[0], 5);
        Assert.Equal(-0.182078f, v[1], 5);
        Assert.Equal(0.0073946f, v[2], 5);
    }

    [Fact]
    public void TheGreyCopyIsGreyAndStaysTheSameWhenTakenTwice()
    {
        var n = Normalization.ImageNet;
        torch.manual_seed(3);
        using var x = torch.randn(2, 3, 5, 4);
        using var grey = GreyView.Of(x, n);
        using var twice = GreyView.Of(grey, n);
        Assert.True((twice - grey).abs().max().item<float>() < 1e-5);
        using var mean = torch.tensor(n.Mean).reshape(1, 3, 1, 1);
        using var std = torch.tensor(n.Std).reshape(1, 3, 1, 1);
        using var raw = grey * std + mean;
        Assert.True((raw[.., 0] - raw[.., 1]).abs().max().item<float>() < 1e-5);
        Assert.True((raw[.., 1] - raw[.., 2]).abs().max().item<float>() < 1e-5);
        Assert.Equal(x.shape, grey.shape);
    }

    [Fact]
    public void ABatchThatIsNotThreeChannelImagesIsRejected()
    {
        using var x = torch.zeros(2, 1, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => GreyView.Of(x, Normalization.Half));
        Assert.Contains("[batch, 3, height, width]", e.Message);
    }
}
