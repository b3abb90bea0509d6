using ReId.Training.Methods.Ccafl;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Ccafl;

public sealed class IntraCameraTripletLossTests
{
    [Fact]
    public void NegativesComeFromTheAnchorsOwnCameraOnly()
    {
        // a (0,0) and b (1,0): identity 0, camera 0; c (0,0.5): identity 1, camera 0; d (0,0.1): identity 2, camera 1.
        using var x = tensor(new float[] { 0, 0, 1, 0, 0, 0.5f, 0, 0.1f }, [4, 2]);
        using var y = tensor(new long[] { 0, 0, 1, 2 });
        using var cam = tensor(new long[] { 0, 0, 0, 1 });
        using var loss = new IntraCameraTripletLoss(0.3).Forward(x, y, cam);
        // a: pos 1, nearest same-camera negative c at 0.5 (d at 0.1 is another camera) → 0.8.
        // b: pos 1, neg c at √1.25 → 0.3 − 0.118; c: pos ≈ 0, neg 0.5 → 0; d: no same-camera negative → left out.
        double expected = (0.8 + (1 - Math.Sqrt(1.25) + 0.3) + 0) / 3;
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void ABatchWithoutSameCameraNegativesGivesZeroWithAGraph()
    {
        using var x = tensor(new float[] { 0, 0, 1, 0 }, [2, 2]).requires_grad_(true);
        using var y = tensor(new long[] { 0, 1 });
        using var cam = tensor(new long[] { 0, 1 });
        using var loss = new IntraCameraTripletLoss().Forward(x, y, cam);
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.False(x.grad!.isnan().any().item<bool>());
    }
}
