using ReId.Training.Methods.Ccafl;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Ccafl;

public sealed class CameraAdversarialLossTests
{
    // One sample of identity 0 (camera 0). Identity 1: camera 0; identity 2: camera 1, associated; identity 3: camera 1, not.
    private static readonly float[] Cosines = [0.8f, 0.3f, 0.5f, 0.1f];

    private static (Tensor Loss, float[] Gradient) Run(double epsilon)
    {
        var cos = tensor(Cosines, [1, 4]).requires_grad_(true);
        using var y = tensor(new long[] { 0 });
        using var associates = tensor(new[] { false, false, true, false }, [1, 4]);
        using var sameCamera = tensor(new[] { true, true, false, false }, [1, 4]);
        var loss = new CameraAdversarialLoss(scale: 16, epsilon: epsilon, margin: 0.5, tau: 0.2).Forward(cos, y, associates, sameCamera);
        loss.backward();
        var grad = cos.grad!.data<float>().ToArray();
        cos.Dispose();
        return (loss, grad);
    }

    [Fact]
    public void LossMatchesAHandComputation()
    {
        var (loss, _) = Run(0.8);
        // Own logit: ArcFace cos(acos 0.8 + 0.5); same-camera other: 1.2·0.3 + 0.2; associate and negative unchanged.
        double own = 16 * (0.8 * Math.Cos(0.5) - 0.6 * Math.Sin(0.5));
        double sameCameraOther = 16 * 0.56, associate = 16 * 0.5, negative = 16 * 0.1;
        double negatives = Math.Exp(sameCameraOther) + Math.Exp(negative);
        double logOwn = own - Math.Log(Math.Exp(own) + negatives);
        double logAssociate = associate - Math.Log(Math.Exp(associate) + negatives);
        // Soft target: 1 − ε = 0.2 on the own identity plus ε/2 = 0.4 on each of the two positives.
        double expected = -(0.6 * logOwn + 0.4 * logAssociate);
        Assert.Equal(expected, loss.item<float>(), 3);
        loss.Dispose();
    }

    [Fact]
    public void GradientPullsTowardsTheAssociateAndAwayFromNegatives()
    {
        var (loss, grad) = Run(0.8);
        loss.Dispose();
        // Descending the loss raises the cosine to the own identity and to the cross-camera associate (the encoder is
        // pushed to make them indistinguishable) and lowers it to every negative.
        Assert.True(grad[0] < 0, $"own {grad[0]}");
        Assert.True(grad[2] < 0, $"associate {grad[2]}");
        Assert.True(grad[1] > 0, $"same-camera other {grad[1]}");
        Assert.True(grad[3] > 0, $"other-camera negative {grad[3]}");
    }

    [Fact]
    public void WithoutSoftTargetsTheAssociateIsNeitherPulledNorPushed()
    {
        var (loss, grad) = Run(0);
        loss.Dispose();
        Assert.Equal(0f, grad[2], 6);
        Assert.True(grad[0] < 0);
    }
}
