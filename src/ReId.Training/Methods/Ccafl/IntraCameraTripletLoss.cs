using TorchSharp;
using ReId.Training.Utils;
using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// Batch-hard triplet loss inside each camera (ICDL): an anchor's hardest positive is its farthest same-identity image and
/// its hardest negative the nearest image of ANOTHER identity of the SAME camera, so no cross-camera pair — whose identity
/// relation intra-camera labels cannot know — is ever pushed apart. Anchors without such a negative are left out.
/// </summary>
public sealed class IntraCameraTripletLoss(double margin = 0.3)
{
    /// <summary>The int 1 the hinge sum is divided by at least (as <c>clamp_min(1)</c>), never collected.</summary>
    private static readonly Scalar OneCount = 1.ToScalar();

    public double Margin { get; } = margin >= 0 ? margin : throw new ArgumentOutOfRangeException(nameof(margin), margin, "expected a margin >= 0");

    /// <param name="features">[B, D].</param>
    /// <param name="labels">[B] int64 intra-camera identity indices (unique across cameras).</param>
    /// <param name="cameras">[B] int64 cameras.</param>
    /// <returns>The mean hinge over anchors that have a same-camera negative; 0 (with a graph) when none has.</returns>
    public Tensor Forward(Tensor features, Tensor labels, Tensor cameras)
    {
        LossChecks.Features(features, labels);
        using var scope = NewDisposeScope();
        var dist = PairwiseDistance.Compute(features, features, DistanceMetric.Euclidean);
        var same = labels.unsqueeze(1).eq(labels.unsqueeze(0));
        var negatives = cameras.unsqueeze(1).eq(cameras.unsqueeze(0)).logical_and(same.logical_not());
        var valid = negatives.any(1);
        var positive = dist.MaskedFill(same.logical_not(), double.NegativeInfinity).max(1).values;
        var negative = dist.MaskedFill(negatives.logical_not(), double.PositiveInfinity).min(1).values;
        var hinge = nn.functional.relu((positive - negative).MaskedFill(valid.logical_not(), 0).Add(Margin)).MaskedFill(valid.logical_not(), 0);
        return (hinge.sum() / valid.sum().clamp_min(OneCount)).MoveToOuterDisposeScope();
    }
}
