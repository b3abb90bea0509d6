using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

public sealed class CrossEntropyLabelSmoothTests
{
    [Fact]
    public void MatchesHandComputedSmoothedCrossEntropy()
    {
        float[] z = [2f, 0f, -1f, 0.5f, 0.5f, 1f];
        using var logits = tensor(z, [2, 3]).requires_grad_(true);
        using var labels = tensor(new long[] { 0, 2 });
        using var loss = new CrossEntropyLabelSmooth(0.1).Forward(logits, labels);

        double expected = 0;
        long[] y = [0, 2];
        for (int b = 0; b < 2; b++)
        {
            double lse = Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(z[b * 3 + c])));
            for (int c = 0; c < 3; c++)
            {
                double t = (c == y[b] ? 0.9 : 0) + 0.1 / 3;
                expected -= t * (z[b * 3 + c] - lse);
            }
        }

        Assert.Equal(expected / 2, loss.item<float>(), 5);
        loss.backward();
        LossTestData.AssertGradientFlows(logits);
    }

    [Fact]
    public void ZeroSmoothingIsPlainCrossEntropy()
    {
        using var logits = tensor(new float[] { 1f, 2f, 3f, 0f }, [2, 2]);
        using var labels = tensor(new long[] { 1, 0 });
        using var ours = new CrossEntropyLabelSmooth(0).Forward(logits, labels);
        using var reference = nn.functional.cross_entropy(logits, labels);
        Assert.Equal(reference.item<float>(), ours.item<float>(), 6);
    }

    [Fact]
    public void WrongShapesAreRejected()
    {
        using var logits = zeros(2, 3);
        using var labels = tensor(new long[] { 0, 1, 2 });
        Assert.Throws<ArgumentException>(() => new CrossEntropyLabelSmooth().Forward(logits, labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLabelSmooth(1.0));
    }
}
