using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

public sealed class ImageTextContrastiveLossTests
{
    private static double Naive(float[,] a, long[] la, float[,] c, long[] lc)
    {
        double total = 0;
        for (int i = 0; i < a.GetLength(0); i++)
        {
            var logits = Enumerable.Range(0, c.GetLength(0))
                .Select(j => Enumerable.Range(0, a.GetLength(1)).Sum(d => a[i, d] * (double)c[j, d])).ToArray();
            double lse = Math.Log(logits.Sum(Math.Exp));
            var pos = Enumerable.Range(0, c.GetLength(0)).Where(j => lc[j] == la[i]).ToArray();
            total += -pos.Average(j => logits[j] - lse);
        }

        return total / a.GetLength(0);
    }

    [Fact]
    public void SumOfBothDirectionsMatchesNaiveLoops()
    {
        var images = LossTestData.Features;
        var imageLabels = LossTestData.Labels;
        // Text features of the batch labels, as CLIP-ReID stage 1 computes them (one per image, repeated identities).
        float[,] texts = { { 0.5f, 0.1f, 0f }, { 0.5f, 0.1f, 0f }, { -0.3f, 0.6f, 0.2f }, { -0.3f, 0.6f, 0.2f }, { 0.1f, -0.7f, 0.3f }, { 0.1f, -0.7f, 0.3f } };
        double expected = Naive(images, imageLabels, texts, imageLabels) + Naive(texts, imageLabels, images, imageLabels);

        using var img = LossTestData.FeatureTensor();
        using var txt = tensor(LossTestData.Flatten(texts), [6, 3]).requires_grad_(true);
        using var y = LossTestData.LabelTensor();
        using var loss = new ImageTextContrastiveLoss().Forward(img, txt, y, y);
        Assert.Equal(expected, loss.item<float>(), 4);
        loss.backward();
        LossTestData.AssertGradientFlows(img);
        LossTestData.AssertGradientFlows(txt);
    }

    [Fact]
    public void AnchorWithoutMatchingContrastIsRejected()
    {
        using var a = ones(2, 3);
        using var c = ones(2, 3);
        using var la = tensor(new long[] { 0, 5 });
        using var lc = tensor(new long[] { 0, 1 });
        Assert.Throws<ArgumentException>(() => ImageTextContrastiveLoss.Directional(a, c, la, lc));
    }
}
