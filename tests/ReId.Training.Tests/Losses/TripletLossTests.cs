using ReId.MLNet.Evaluation;
using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

public sealed class TripletLossTests
{
    private static (double[] Ap, double[] An) NaiveHardest(Func<int, int, double> dist)
    {
        var f = LossTestData.Labels;
        var ap = new double[6];
        var an = new double[6];
        for (int i = 0; i < 6; i++)
        {
            ap[i] = double.NegativeInfinity;
            an[i] = double.PositiveInfinity;
            for (int j = 0; j < 6; j++)
            {
                double d = dist(i, j);
                if (f[i] == f[j])
                {
                    ap[i] = Math.Max(ap[i], d);
                }
                else
                {
                    an[i] = Math.Min(an[i], d);
                }
            }
        }

        return (ap, an);
    }

    [Fact]
    public void HardMarginMatchesNaiveLoop()
    {
        var (ap, an) = NaiveHardest((i, j) => LossTestData.Euclid(LossTestData.Features, i, j));
        double expected = Enumerable.Range(0, 6).Average(i => Math.Max(0, ap[i] - an[i] + 1.5));
        Assert.True(expected > 0);
        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var loss = new TripletLoss(1.5).Forward(x, y);
        Assert.Equal(expected, loss.item<float>(), 4);
        loss.backward();
        LossTestData.AssertGradientFlows(x);
    }

    [Fact]
    public void SoftMarginIsSoftplusOfTheGap()
    {
        var (ap, an) = NaiveHardest((i, j) => LossTestData.Euclid(LossTestData.Features, i, j));
        double expected = Enumerable.Range(0, 6).Average(i => Math.Log(1 + Math.Exp(ap[i] - an[i])));
        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var loss = new TripletLoss(softMargin: true).Forward(x, y);
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void CosineMetricMatchesNaiveLoop()
    {
        var f = LossTestData.Features;
        var (ap, an) = NaiveHardest((i, j) => 1 - LossTestData.Cos(f, i, f, j));
        double expected = Enumerable.Range(0, 6).Average(i => Math.Max(0, ap[i] - an[i] + 0.5));
        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var loss = new TripletLoss(0.5, metric: DistanceMetric.Cosine).Forward(x, y);
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void WellSeparatedClustersGiveZeroLoss()
    {
        using var x = tensor(new float[] { 0, 0, 0.1f, 0, 10, 10, 10, 10.1f }, [4, 2]);
        using var y = tensor(new long[] { 0, 0, 1, 1 });
        using var loss = new TripletLoss(0.3).Forward(x, y);
        Assert.Equal(0f, loss.item<float>());
    }

    [Fact]
    public void SingleIdentityBatchIsRejected()
    {
        using var x = zeros(2, 2);
        using var y = tensor(new long[] { 1, 1 });
        Assert.Throws<ArgumentException>(() => new TripletLoss().Forward(x, y));
    }
}
