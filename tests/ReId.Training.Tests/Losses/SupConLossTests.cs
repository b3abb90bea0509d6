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

    /// <summary>The loss by its definition, with same-identity same-camera pairs dropped when asked.</summary>
    private static double Naive(long[] labels, long[] cameras, double t, bool sameCameraPositives)
    {
        var f = LossTestData.Features;
        int n = labels.Length;
        bool Ignored(int i, int j) => i == j || (!sameCameraPositives && labels[i] == labels[j] && cameras[i] == cameras[j]);
        double sum = 0;
        int anchors = 0;
        for (int i = 0; i < n; i++)
        {
            double denom = 0;
            for (int a = 0; a < n; a++)
                if (!Ignored(i, a)) denom += Math.Exp(LossTestData.Cos(f, i, f, a) / t);
            double acc = 0;
            int positives = 0;
            for (int p = 0; p < n; p++)
            {
                if (Ignored(i, p) || labels[p] != labels[i]) continue;
                acc += LossTestData.Cos(f, i, f, p) / t - Math.Log(denom);
                positives++;
            }
            if (positives > 0)
            {
                sum += -acc / positives;
                anchors++;
            }
        }
        return sum / anchors;
    }

    [Fact]
    public void WithoutSameCameraPositivesOnlyCrossCameraPairsCountAndSameCameraPairsLeaveTheDenominator()
    {
        long[] labels = [0, 0, 0, 1, 1, 2];
        long[] cameras = [0, 0, 1, 2, 2, 0];
        const double t = 0.5;
        using var x = LossTestData.FeatureTensor();
        using var y = TorchSharp.torch.tensor(labels);
        using var c = TorchSharp.torch.tensor(cameras);
        using var loss = new SupConLoss(t, sameCameraPositives: false).Forward(x, y, c);
        // Identity 1 is seen by one camera only: its anchors have no positive left and drop out; so does identity 2.
        Assert.Equal(Naive(labels, cameras, t, false), loss.item<float>(), 4);
        Assert.NotEqual(Naive(labels, cameras, t, true), loss.item<float>(), 2);
        loss.backward();
        LossTestData.AssertGradientFlows(x);
    }

    [Fact]
    public void CamerasChangeNothingWhenSameCameraPositivesCount()
    {
        long[] labels = [0, 0, 0, 1, 1, 2];
        using var x = LossTestData.FeatureTensor(grad: false);
        using var y = TorchSharp.torch.tensor(labels);
        using var c = TorchSharp.torch.tensor(new long[] { 0, 0, 1, 2, 2, 0 });
        using var with = new SupConLoss(0.5).Forward(x, y, c);
        using var without = new SupConLoss(0.5).Forward(x, y);
        Assert.Equal(without.item<float>(), with.item<float>(), 6);
        Assert.Equal(Naive(labels, [0, 0, 1, 2, 2, 0], 0.5, true), with.item<float>(), 4);
    }

    [Fact]
    public void ExcludingSameCameraPositivesWithoutCamerasIsAnError()
    {
        using var x = LossTestData.FeatureTensor(grad: false);
        using var y = LossTestData.LabelTensor();
        var e = Assert.Throws<ArgumentException>(() => new SupConLoss(0.5, sameCameraPositives: false).Forward(x, y));
        Assert.Contains("camera", e.Message);
    }
}
