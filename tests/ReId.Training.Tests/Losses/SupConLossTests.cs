using ReId.Training.Losses;

namespace ReId.Training.Tests.Losses;

public sealed class SupConLossTests
{
    [Fact]
    public void MatchesNaiveKhoslaFormula()
    {
        var f = LossTestData.Features;
        var labels = new long[] { 0, 0, 0, 1, 1, 2 };
        const double t = 0.5;
        double sum = 0;
        int anchors = 0;
        for (int i = 0; i < 6; i++)
        {
            double denom = 0;
            for (int a = 0; a < 6; a++)
            {
                if (a != i)
                {
                    denom += Math.Exp(LossTestData.Cos(f, i, f, a) / t);
                }
            }

            double acc = 0;
            int positives = 0;
            for (int p = 0; p < 6; p++)
            {
                if (p != i && labels[p] == labels[i])
                {
                    acc += LossTestData.Cos(f, i, f, p) / t - Math.Log(denom);
                    positives++;
                }
            }

            // Sample 5 is alone with its label: it has no positive and is left out.
            if (positives > 0)
            {
                sum += -acc / positives;
                anchors++;
            }
        }

        using var x = LossTestData.FeatureTensor();
        using var y = TorchSharp.torch.tensor(labels);
        using var loss = new SupConLoss(t).Forward(x, y);
        Assert.Equal(sum / anchors, loss.item<float>(), 4);
        loss.backward();
        LossTestData.AssertGradientFlows(x);
    }
}
