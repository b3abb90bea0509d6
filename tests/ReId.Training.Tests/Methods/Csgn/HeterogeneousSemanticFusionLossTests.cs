using ReId.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Csgn;

public sealed class HeterogeneousSemanticFusionLossTests
{
    // f = [1, 0]; RGB bank rows [2, 0] and [0, 0] give logits [2, 0]; grey bank rows [0, 0] and [0, 0] give logits [0, 0].
    private static (Tensor F, Tensor Rgb, Tensor Grey, Tensor Labels) Case() => (
        torch.tensor(new float[] { 1, 0 }, [1, 2]),
        torch.tensor(new float[] { 2, 0, 0, 0 }, [2, 2]),
        torch.tensor(new float[] { 0, 0, 0, 0 }, [2, 2]),
        torch.tensor(new long[] { 0 }));

    [Fact]
    public void BothTermsEqualHandComputedCrossEntropies()
    {
        var (f, rgb, grey, y) = Case();
        // ε = 0.1, K = 2: targets [0.95, 0.05]. RGB: −0.95·log σ(2) − 0.05·log σ(−2) = 0.95·0.126928 + 0.05·2.126928 = 0.226928.
        // Grey: both logits equal, so −log ½ = 0.693147 whatever the smoothing.
        var loss = new HeterogeneousSemanticFusionLoss(rgbWeight: 1, greyWeight: 0.5, labelSmoothing: 0.1);
        using var r = loss.Forward(f, rgb, grey, y);
        Assert.Equal(0.226928, r.Terms["i2t-rgb"], 5);
        Assert.Equal(0.693147, r.Terms["i2t-grey"], 5);
        Assert.Equal(0.226928 + 0.5 * 0.693147, r.Total.item<float>(), 5);
    }

    [Fact]
    public void WithoutSmoothingTheRgbTermIsLogOnePlusEToTheMinusTwo()
    {
        var (f, rgb, _, y) = Case();
        var loss = new HeterogeneousSemanticFusionLoss(rgbWeight: 2, greyWeight: 0, labelSmoothing: 0);
        using var r = loss.Forward(f, rgb, null, y);
        Assert.Equal(0.126928, r.Terms["i2t-rgb"], 5);
        Assert.False(r.Terms.ContainsKey("i2t-grey"));
        Assert.Equal(2 * 0.126928, r.Total.item<float>(), 5);
    }

    [Fact]
    public void AWeightedTermWithoutItsBankOrWithTheWrongWidthIsRejected()
    {
        var (f, rgb, _, y) = Case();
        var loss = new HeterogeneousSemanticFusionLoss(1, 1);
        Assert.Throws<ArgumentNullException>(() => loss.Forward(f, rgb, null, y));
        using var wide = torch.zeros(2, 3);
        Assert.Throws<ArgumentException>(() => loss.Forward(f, wide, wide, y));
    }

    [Fact]
    public void GradientsReachTheImageFeatureOnly()
    {
        var (f0, rgb, grey, y) = Case();
        using var f = f0.clone().requires_grad_(true);
        var loss = new HeterogeneousSemanticFusionLoss(1, 1, 0);
        using var r = loss.Forward(f, rgb, grey, y);
        r.Total.backward();
        // d/df of −log softmax(f·Tᵀ)[0] = Σ_k p_k T_k − T_0 = σ(2)·[2,0] + σ(−2)·[0,0] − [2,0] = [−2σ(−2), 0] = [−0.238406, 0].
        var g = f.grad!.data<float>().ToArray();
        Assert.Equal(-0.238406f, g[0], 5);
        Assert.Equal(0f, g[1], 6);
    }
}
