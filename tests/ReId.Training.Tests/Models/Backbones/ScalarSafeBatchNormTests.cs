using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Backbones;

/// <summary>ScalarSafeBatchNorm computes what TorchSharp's BatchNorm1d/2d compute, in training and in evaluation.</summary>
public sealed class ScalarSafeBatchNormTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void MatchesTorchSharpsBatchNormInTrainingAndEvaluation(int dims)
    {
        using var ours = dims == 2 ? ScalarSafeBatchNorm.For2d(4) : ScalarSafeBatchNorm.For1d(4);
        using nn.Module<Tensor, Tensor> reference = dims == 2 ? nn.BatchNorm2d(4) : nn.BatchNorm1d(4);
        torch.manual_seed(7);
        for (int step = 0; step < 3; step++)
        {
            using var x = dims == 2 ? torch.randn(6, 4, 3, 2) : torch.randn(6, 4);
            using var a = ours.forward(x);
            using var b = reference.forward(x);
            Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
        }
        var expected = reference.state_dict();
        var actual = ours.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected)
            Assert.True(value.allclose(actual[name], rtol: 0, atol: 0), $"buffer or parameter '{name}' differs");
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());

        ours.eval();
        reference.eval();
        using var y = dims == 2 ? torch.randn(2, 4, 3, 2) : torch.randn(2, 4);
        using var c = ours.forward(y);
        using var d = reference.forward(y);
        Assert.Equal(d.data<float>().ToArray(), c.data<float>().ToArray());
    }

    [Fact]
    public void RejectsInputOfTheWrongRank()
    {
        using var bn = ScalarSafeBatchNorm.For2d(4);
        using var x = torch.randn(6, 4);
        Assert.Throws<ArgumentException>(() => bn.forward(x));
    }
}
