using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// Batch-hard triplet loss (Hermans et al.): for each anchor the farthest positive and the nearest negative in the
/// batch; hinge <c>max(0, d(a,p) − d(a,n) + margin)</c> or, with a soft margin, <c>softplus(d(a,p) − d(a,n))</c>.
/// </summary>
public sealed class TripletLoss
{
    /// <param name="margin">Hinge margin (ignored when <paramref name="softMargin"/>).</param>
    /// <param name="softMargin">Use softplus instead of the hinge.</param>
    /// <param name="metric">Distance for mining and the loss.</param>
    public TripletLoss(double margin = 0.3, bool softMargin = false, DistanceMetric metric = DistanceMetric.Euclidean)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        Margin = margin;
        SoftMargin = softMargin;
        Metric = metric;
    }

    public double Margin { get; }
    public bool SoftMargin { get; }
    public DistanceMetric Metric { get; }

    /// <summary>Mean loss over anchors. Every anchor needs a positive and a negative in the batch (a PK batch has both).</summary>
    /// <param name="features">[B, D].</param>
    /// <param name="labels">[B] int64.</param>
    public Tensor Forward(Tensor features, Tensor labels)
    {
        var (positive, negative) = HardestDistances(features, labels);
        using (positive)
        using (negative)
        {
            return SoftMargin
                ? (positive - negative).Softplus().mean()
                : nn.functional.relu((positive - negative).Add(Margin)).mean();
        }
    }

    /// <summary>Per anchor: distance to its farthest positive and to its nearest negative.</summary>
    public (Tensor Positive, Tensor Negative) HardestDistances(Tensor features, Tensor labels)
    {
        LossChecks.Features(features, labels);
        using var scope = NewDisposeScope();
        var dist = PairwiseDistance.Compute(features, features, Metric);
        var same = labels.unsqueeze(1).eq(labels.unsqueeze(0));
        var hasNegative = same.logical_not().any(1);
        if (!hasNegative.all().item<bool>())
        {
            throw new ArgumentException("Every anchor needs a negative: the batch must hold at least two identities.", nameof(labels));
        }

        var positive = dist.MaskedFill(same.logical_not(), double.NegativeInfinity).max(1).values;
        var negative = dist.MaskedFill(same, double.PositiveInfinity).min(1).values;
        return (positive.MoveToOuterDisposeScope(), negative.MoveToOuterDisposeScope());
    }
}
