using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

public sealed class CenterLossTests
{
    [Fact]
    public void IsMeanSquaredDistanceToOwnCentre()
    {
        using var center = new CenterLoss(3, 3, seed: 2);
        var c = center.Centers.detach().data<float>().ToArray();
        double expected = 0;
        for (int i = 0; i < 6; i++)
        {
            long label = LossTestData.Labels[i];
            for (int d = 0; d < 3; d++)
            {
                double diff = LossTestData.Features[i, d] - c[label * 3 + d];
                expected += diff * diff;
            }
        }

        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var loss = center.forward(x, y);
        Assert.Equal(expected / 6, loss.item<float>(), 4);
        loss.backward();
        LossTestData.AssertGradientFlows(x);
        Assert.NotNull(center.Centers.grad);
        Assert.Contains(center.Centers.grad!.data<float>().ToArray(), v => v != 0);
        Assert.Single(center.parameters());
    }
}
