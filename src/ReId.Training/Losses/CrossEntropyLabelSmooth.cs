using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>Cross-entropy against smoothed targets <c>(1−ε)·onehot + ε/K</c>, as torchreid and CLIP-ReID.</summary>
public sealed class CrossEntropyLabelSmooth
{
    /// <param name="epsilon">Smoothing ε in [0, 1).</param>
    public CrossEntropyLabelSmooth(double epsilon = 0.1)
    {
        if (epsilon is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Label smoothing must be in [0, 1).");
        }

        Epsilon = epsilon;
    }

    public double Epsilon { get; }

    /// <summary>Mean loss over the batch.</summary>
    /// <param name="logits">[B, K] class scores.</param>
    /// <param name="labels">[B] int64 class indices in [0, K).</param>
    public Tensor Forward(Tensor logits, Tensor labels)
    {
        LossChecks.Logits(logits, labels);
        using var scope = NewDisposeScope();
        long classes = logits.shape[1];
        var logProbs = nn.functional.log_softmax(logits, 1);
        var targets = nn.functional.one_hot(labels, classes).to(logits.dtype).Mul(1 - Epsilon).Add(Epsilon / classes);
        return (-(targets * logProbs)).sum(1).mean().MoveToOuterDisposeScope();
    }
}
