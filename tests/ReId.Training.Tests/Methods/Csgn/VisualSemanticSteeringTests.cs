using ReId.Training.Methods.Csgn;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Csgn;

public sealed class VisualSemanticSteeringTests
{
    // r = [1, 3] and v = [0, 2] both layer-normalise to [−a, a] with a = 1/√(1 + 1e-5) = 0.999995; p = [0.5, −0.5].
    private static (Tensor R, Tensor V, Tensor P) Case() => (
        torch.tensor(new float[] { 1, 3 }, [1, 2]), torch.tensor(new float[] { 0, 2 }, [1, 2]), torch.tensor(new float[] { 0.5f, -0.5f }, [1, 2]));

    private static void SetMix(VisualSemanticSteering vss, float[] weight, float[] bias)
    {
        var p = vss.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using var noGrad = torch.no_grad();
        p["mix.weight"].copy_(torch.tensor(weight, p["mix.weight"].shape));
        p["mix.bias"].copy_(torch.tensor(bias));
    }

    [Theory]
    [InlineData(CsgnFusion.Concat)]
    [InlineData(CsgnFusion.Steer)]
    public void AtInitialisationTheFusedFeatureIsTheVitProjection(CsgnFusion fusion)
    {
        using var vss = new VisualSemanticSteering(2, 2, 2, fusion);
        var (r, v, p) = Case();
        using var f = vss.Fuse(r, v, p);
        Assert.Equal(p.data<float>().ToArray(), f.data<float>().ToArray());
    }

    [Fact]
    public void ConcatAddsAProjectionOfBothNormalisedFeatures()
    {
        using var vss = new VisualSemanticSteering(2, 2, 2, CsgnFusion.Concat);
        // Row 0 reads LN(r)[0] = −a, row 1 reads LN(v)[1] = a; bias [0.1, 0].
        SetMix(vss, [1, 0, 0, 0, 0, 0, 0, 1], [0.1f, 0]);
        var (r, v, p) = Case();
        using var f = vss.Fuse(r, v, p);
        var got = f.data<float>().ToArray();
        Assert.Equal(0.5f - 0.999995f + 0.1f, got[0], 5);
        Assert.Equal(-0.5f + 0.999995f, got[1], 5);
    }

    [Fact]
    public void SteerGatesEachChannelOfTheProjectionByTheResNetFeature()
    {
        using var vss = new VisualSemanticSteering(2, 2, 2, CsgnFusion.Steer);
        // Gate logits [−a, ln 3]: gates 2σ(−0.999995) = 0.537883 and 2σ(ln 3) = 1.5.
        SetMix(vss, [1, 0, 0, 0], [0, MathF.Log(3)]);
        var (r, v, p) = Case();
        using var f = vss.Fuse(r, v, p);
        var got = f.data<float>().ToArray();
        Assert.Equal(0.268942f, got[0], 5);
        Assert.Equal(-0.75f, got[1], 5);
    }

    [Fact]
    public void NoneIsNotAFusionModule() =>
        Assert.Throws<ArgumentException>(() => new VisualSemanticSteering(2, 2, 2, CsgnFusion.None));
}
