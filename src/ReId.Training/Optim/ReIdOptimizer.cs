using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Optim;

/// <summary>A TorchSharp optimiser plus the description of its parameter groups, in the same order as its <c>ParamGroups</c>.</summary>
public sealed class ReIdOptimizer : IDisposable
{
    internal ReIdOptimizer(optim.Optimizer optimizer, IReadOnlyList<ParameterGroupInfo> groups, IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        Optimizer = optimizer;
        Groups = groups;
        Parameters = parameters;
    }

    public optim.Optimizer Optimizer { get; }
    public IReadOnlyList<ParameterGroupInfo> Groups { get; }

    /// <summary>Every trainable parameter (for gradient clipping).</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters { get; }

    /// <summary>Current learning rate of each group.</summary>
    public double[] LearningRates => [.. Optimizer.ParamGroups.Select(g => g.LearningRate)];

    /// <summary>Sets every group's learning rate to its base rate × <paramref name="factor"/>.</summary>
    public void ScaleLearningRates(double factor)
    {
        int i = 0;
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = Groups[i++].BaseLearningRate * factor;
        }
    }

    public void ZeroGrad() => Optimizer.zero_grad();

    public void Step() => Optimizer.step();

    public void Dispose() => Optimizer.Dispose();
}
