using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// Center loss (Wen et al.): mean squared distance of each feature to its class centre; the centres are learnable
/// parameters (give them to the optimiser, usually with their own learning rate).
/// </summary>
public sealed class CenterLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter centers;

    public CenterLoss(int classes, int featureDim, long seed = 0) : base(nameof(CenterLoss))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        using var generator = new Generator((ulong)seed);
        centers = nn.Parameter(randn(classes, featureDim, generator: generator));
        RegisterComponents();
    }

    /// <summary>[classes, featureDim] centres.</summary>
    public TorchSharp.Modules.Parameter Centers => centers;

    /// <param name="features">[B, D].</param>
    /// <param name="labels">[B] int64.</param>
    public override Tensor forward(Tensor features, Tensor labels)
    {
        LossChecks.Features(features, labels);
        if (features.shape[1] != centers.shape[1])
        {
            throw new ArgumentException($"Features have dimension {features.shape[1]}; the centres have {centers.shape[1]}.", nameof(features));
        }

        using var scope = NewDisposeScope();
        var diff = features - centers.index_select(0, labels);
        // torchreid clamps each squared distance to [1e-12, 1e12] for numerical safety.
        return diff.Pow(2).sum(1).Clamp(1e-12, 1e12).mean().MoveToOuterDisposeScope();
    }
}
