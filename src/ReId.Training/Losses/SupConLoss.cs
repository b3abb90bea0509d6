using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// Supervised contrastive loss (Khosla et al., "SupCon out" form) on one view per sample: for each anchor, the mean
/// over its positives (same label, excluding itself) of <c>−log softmax</c> over all other samples of
/// <c>z_a·z_p / τ</c>. Features are L2-normalised here. Anchors without a positive are left out of the mean.
/// </summary>
/// <remarks>
/// Same-camera positives count by default (Khosla's definition: every other sample with the anchor's label). With
/// <see cref="SameCameraPositives"/> false and cameras given, a sample of the anchor's identity seen by the anchor's
/// camera is neither a positive nor a negative: it leaves the numerator and the softmax denominator alike (kept as a
/// negative it would push apart two views of one vehicle), so only cross-camera pairs pull together.
/// </remarks>
public sealed class SupConLoss
{
    public SupConLoss(double temperature = 0.07, bool sameCameraPositives = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        Temperature = temperature;
        SameCameraPositives = sameCameraPositives;
    }

    public double Temperature { get; }

    /// <summary>Whether a same-identity sample from the anchor's camera is a positive (true) or ignored (false; needs cameras).</summary>
    public bool SameCameraPositives { get; }

    /// <summary>Loss over features [B, D] and labels [B]; <paramref name="cameras"/> [B] matter only without same-camera positives.</summary>
    public Tensor Forward(Tensor features, Tensor labels, Tensor? cameras = null)
    {
        LossChecks.Features(features, labels);
        if (!SameCameraPositives && cameras is null)
            throw new ArgumentException("SupCon without same-camera positives needs the camera of every sample.", nameof(cameras));
        if (cameras is not null && (cameras.ndim != 1 || cameras.shape[0] != labels.shape[0]))
            throw new ArgumentException($"cameras must be [{labels.shape[0]}], got [{string.Join(", ", cameras.shape)}].", nameof(cameras));
        using var scope = NewDisposeScope();
        long n = features.shape[0];
        var z = nn.functional.normalize(features, p: 2, dim: 1);
        var logits = z.matmul(z.t()).Div(Temperature);
        var self = eye(n, dtype: ScalarType.Bool, device: features.device);
        var sameLabel = labels.unsqueeze(1).eq(labels.unsqueeze(0));
        // Pairs that are neither positives nor negatives: the anchor itself and, optionally, same-camera positives.
        var ignored = SameCameraPositives
            ? self
            : self.logical_or(sameLabel.logical_and(cameras!.unsqueeze(1).eq(cameras.unsqueeze(0))));
        // Subtracting the row maximum changes nothing mathematically and keeps exp() finite.
        logits = logits - logits.detach().max(1, keepdim: true).values;
        var denominator = logits.MaskedFill(ignored, double.NegativeInfinity).logsumexp(1, keepdim: true);
        var logProb = logits - denominator;
        var positives = sameLabel.logical_and(ignored.logical_not()).to(features.dtype);
        var count = positives.sum(1);
        var valid = count.Gt(0);
        if (!valid.any().item<bool>())
        {
            throw new ArgumentException("No sample has a positive (another sample with its label) in the batch.", nameof(labels));
        }

        var meanLogProb = (positives * logProb).sum(1).masked_select(valid) / count.masked_select(valid);
        return (-meanLogProb.mean()).MoveToOuterDisposeScope();
    }
}
