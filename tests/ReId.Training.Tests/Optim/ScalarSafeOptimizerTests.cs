using ReId.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Optim;

/// <summary>The Scalar-owning optimisers take exactly TorchSharp's steps (TorchSharp's own optimisers are the reference).</summary>
public sealed class ScalarSafeOptimizerTests
{
    private static (Parameter A, Parameter B) Pair(int seed)
    {
        torch.manual_seed(seed);
        var w = torch.randn(5, 3);
        return (new Parameter(w.clone()), new Parameter(w.clone()));
    }

    /// <summary>Runs <paramref name="steps"/> steps of both optimisers on the same gradients; returns the two parameters.</summary>
    private static (float[] Ours, float[] Reference) Run(Func<Parameter, optim.Optimizer> ours, Func<Parameter, optim.Optimizer> reference, int steps = 5)
    {
        var (a, b) = Pair(3);
        using var optimizerA = ours(a);
        using var optimizerB = reference(b);
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            using var target = torch.randn(5, 3);
            foreach (var (p, o) in new[] { (a, optimizerA), (b, optimizerB) })
            {
                o.zero_grad();
                (p - target).pow(2).sum().backward();
                o.step();
            }
        }
        return (a.detach().data<float>().ToArray(), b.detach().data<float>().ToArray());
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.01, false)]
    [InlineData(0.01, true)]
    public void AdamStepsAsTorchSharpsAdam(double decay, bool amsgrad)
    {
        var (ours, reference) = Run(
            p => new ScalarSafeAdam([new Adam.ParamGroup([p], 0.1, 0.9, 0.99, 1e-8, decay, amsgrad)], 0.1, 0.9, 0.99, 1e-8),
            p => optim.Adam([new Adam.ParamGroup([p], 0.1, 0.9, 0.99, 1e-8, decay, amsgrad)], 0.1, 0.9, 0.99, 1e-8));
        Assert.Equal(reference, ours);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void AdamWStepsAsTorchSharpsAdamW(double decay)
    {
        var (ours, reference) = Run(
            p => new ScalarSafeAdamW([new AdamW.ParamGroup([p], 0.1, 0.9, 0.99, 1e-8, decay)], 0.1, 0.9, 0.99, 1e-8),
            p => optim.AdamW([new AdamW.ParamGroup([p], 0.1, 0.9, 0.99, 1e-8, decay)], 0.1, 0.9, 0.99, 1e-8));
        Assert.Equal(reference, ours);
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 0.01, false)]
    [InlineData(0.9, 0.01, true)]
    public void SgdStepsAsTorchSharpsSgd(double momentum, double decay, bool nesterov)
    {
        var (ours, reference) = Run(
            p => new ScalarSafeSgd([new SGD.ParamGroup([p], 0.05, momentum, 0, decay, nesterov)], 0.05, momentum, 0, decay, nesterov),
            p => optim.SGD([new SGD.ParamGroup([p], 0.05, momentum, 0, decay, nesterov)], 0.05, momentum, 0, decay, nesterov));
        Assert.Equal(reference, ours);
    }

    [Fact]
    public void TheFactoryBuildsTheScalarSafeOptimisers()
    {
        using var layer = nn.Linear(2, 2);
        foreach (var (kind, type) in new[] { (OptimizerKind.Adam, typeof(ScalarSafeAdam)), (OptimizerKind.AdamW, typeof(ScalarSafeAdamW)), (OptimizerKind.Sgd, typeof(ScalarSafeSgd)) })
        {
            using var optimizer = OptimizerFactory.Create(layer, new ReId.Training.Optim.OptimizerOptions { Kind = kind, LearningRate = 0.1 });
            Assert.IsType(type, optimizer.Optimizer);
        }
    }
}
