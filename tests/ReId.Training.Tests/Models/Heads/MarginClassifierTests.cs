using ReId.Training.Models.Heads;
using ReId.Training.Tests.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Heads;

public sealed class MarginClassifierTests
{
    private static double[,] Cosines(MarginClassifier head)
    {
        var w = head.Weight.detach().data<float>().ToArray();
        var wm = new float[3, 3];
        Buffer.BlockCopy(w, 0, wm, 0, w.Length * sizeof(float));
        var r = new double[6, 3];
        for (int i = 0; i < 6; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                r[i, c] = LossTestData.Cos(LossTestData.Features, i, wm, c);
            }
        }

        return r;
    }

    [Theory]
    [InlineData(MarginHeadKind.ArcFace)]
    [InlineData(MarginHeadKind.CosFace)]
    public void TargetLogitGetsTheMarginOthersStayScaledCosine(MarginHeadKind kind)
    {
        using var head = new MarginClassifier(3, 3, kind, scale: 16, margin: 0.3, seed: 4);
        var cos = Cosines(head);
        using var x = LossTestData.FeatureTensor();
        using var y = LossTestData.LabelTensor();
        using var logits = head.forward(x, y);
        var got = logits.detach().data<float>().ToArray();
        for (int i = 0; i < 6; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                double expected = cos[i, c];
                if (c == LossTestData.Labels[i])
                {
                    double theta = Math.Acos(cos[i, c]);
                    expected = kind == MarginHeadKind.CosFace ? cos[i, c] - 0.3
                        : theta + 0.3 < Math.PI ? Math.Cos(theta + 0.3) : cos[i, c] - Math.Sin(Math.PI - 0.3) * 0.3;
                }

                Assert.Equal(16 * expected, got[i * 3 + c], 3);
            }
        }

        using var loss = nn.functional.cross_entropy(logits, y);
        loss.backward();
        LossTestData.AssertGradientFlows(x);
        Assert.Contains(head.Weight.grad!.data<float>().ToArray(), v => v != 0);
    }

    [Fact]
    public void NamedFactoriesPickTheMarginKind()
    {
        using var arc = MarginClassifier.ArcFaceHead(3, 2);
        using var cos = MarginClassifier.CosFaceHead(3, 2);
        Assert.Equal(MarginHeadKind.ArcFace, arc.Kind);
        Assert.Equal((MarginHeadKind.CosFace, 0.35), (cos.Kind, cos.Margin));
    }

    [Fact]
    public void WithoutLabelsReturnsScaledCosine()
    {
        using var head = new MarginClassifier(3, 3, MarginHeadKind.ArcFace, scale: 10, margin: 0.5, seed: 1);
        var cos = Cosines(head);
        using var x = LossTestData.FeatureTensor(false);
        using var logits = head.forward(x, null);
        Assert.Equal(10 * cos[2, 1], logits[2, 1].item<float>(), 4);
    }
}
