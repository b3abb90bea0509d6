using ReId.Training.Models.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Heads;

public sealed class HeadsTests
{
    [Fact]
    public void GeMWithPThreeIsTheCubeRootOfTheMeanCube()
    {
        using var gem = new GeMPooling(3f);
        using var x = torch.tensor(new float[] { 1, 2, 3, 4, 0, 0, 0, 0 }, [1, 2, 2, 2]);
        var y = gem.forward(x).data<float>().ToArray();
        Assert.Equal(MathF.Cbrt((1 + 8 + 27 + 64) / 4f), y[0], 4);
        // Zeros are clamped to eps: (eps^3)^(1/3) = eps.
        Assert.Equal(1e-6f, y[1], 6);
    }

    [Fact]
    public void GeMWithPOneIsAveragePoolingAndPIsLearnable()
    {
        using var gem = new GeMPooling(1f);
        using var x = torch.rand(2, 3, 4, 5) + 0.1f;
        Assert.True((gem.forward(x) - x.mean([2, 3])).abs().max().item<float>() < 1e-6);
        Assert.Single(gem.parameters(), p => p.requires_grad);
    }

    [Fact]
    public void BNNeckFreezesTheBiasAndGivesAllThreeOutputs()
    {
        using var neck = new BNNeck(8, 5);
        var trainable = neck.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Contains("bottleneck.weight", trainable);
        Assert.Contains("classifier.weight", trainable);
        Assert.DoesNotContain("bottleneck.bias", trainable);
        Assert.DoesNotContain(neck.named_parameters(), p => p.name == "classifier.bias");
        neck.train();
        using var x = torch.randn(4, 8);
        using var o = neck.Apply(x);
        Assert.True(o.BeforeBn.equal(x).all().item<bool>());
        Assert.Equal(new long[] { 4, 5 }, o.Logits!.shape);
        // Training-mode BN normalises each feature to zero mean over the batch.
        Assert.True(o.AfterBn.mean([0]).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void BNNeckInferenceFeatureFollowsTheChoice()
    {
        using var neck = new BNNeck(4, 0, NeckFeature.BeforeBn);
        neck.eval();
        using var x = torch.randn(3, 4) * 5f + 2f;
        Assert.True(neck.forward(x).equal(x).all().item<bool>());
        neck.Feature = NeckFeature.AfterBn;
        // Fresh running stats (mean 0, var 1): eval BN is x / sqrt(1 + eps).
        Assert.True((neck.forward(x) - x / MathF.Sqrt(1 + 1e-5f)).abs().max().item<float>() < 1e-5);
    }
}
