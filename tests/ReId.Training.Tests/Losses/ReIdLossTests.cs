using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

public sealed class ReIdLossTests
{
    [Fact]
    public void TotalIsTheWeightedSumOfTheTerms()
    {
        using var center = new CenterLoss(3, 3);
        var loss = new ReIdLoss(new ReIdLossOptions { CrossEntropyWeight = 1, TripletWeight = 2, CenterWeight = 0.5, SupConWeight = 0 }, center);
        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var logits = x.matmul(eye(3));
        using var result = loss.Compute(logits, x, y);
        Assert.Equal(["ce", "center", "triplet"], result.Terms.Keys.Order());
        using var ce = new CrossEntropyLabelSmooth(0.1).Forward(logits, y);
        using var tri = new TripletLoss(0.3).Forward(x, y);
        using var cl = center.forward(x, y);
        Assert.Equal(ce.item<float>(), result.Terms["ce"], 5);
        Assert.Equal(ce.item<float>() + 2 * tri.item<float>() + 0.5 * cl.item<float>(), result.Total.item<float>(), 4);
        result.Total.backward();
        LossTestData.AssertGradientFlows(x);
    }

    [Fact]
    public void CenterWeightWithoutModuleIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new ReIdLoss(new ReIdLossOptions { CenterWeight = 1 }));
    }
}
