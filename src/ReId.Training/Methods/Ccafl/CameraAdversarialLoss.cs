using ReId.Training.Utils;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's inter-camera adversarial loss (ICAL). A classifier over all intra-camera identities (trained on detached
/// features to tell them apart) is read with an ArcFace margin on the sample's own identity, the logits of the other
/// identities of the sample's OWN camera raised to <c>(τ+1)·cos + τ</c> (the camera signal made a harder competitor), and
/// a soft target: <c>1−ε</c> on the own identity and <c>ε</c> shared by the own identity and its associates in other
/// cameras. Each positive is contrasted only against the negatives (<c>log p_j = s_j − log(e^{s_j} + Σ_neg e^{s_k})</c>),
/// so the encoder is pushed to make an identity indistinguishable from its cross-camera associates — camera-agnostic
/// features. Following the authors' code (itself after Gu et al.'s clothes-based adversarial loss, CVPR 2022).
/// </summary>
public sealed class CameraAdversarialLoss
{
    public CameraAdversarialLoss(double scale = 16, double epsilon = 0.8, double margin = 0.5, double tau = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        if (epsilon is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "expected epsilon in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        ArgumentOutOfRangeException.ThrowIfNegative(tau);
        Scale = scale;
        Epsilon = epsilon;
        Margin = margin;
        Tau = tau;
    }

    public double Scale { get; }
    public double Epsilon { get; }
    public double Margin { get; }
    public double Tau { get; }

    /// <param name="cosine">[B, N] cosine of each feature to each identity's classifier weight.</param>
    /// <param name="targets">[B] int64 own intra-camera identity.</param>
    /// <param name="associates">[B, N] bool: identities of OTHER cameras associated with the sample's identity.</param>
    /// <param name="sameCamera">[B, N] bool: identities of the sample's own camera.</param>
    public Tensor Forward(Tensor cosine, Tensor targets, Tensor associates, Tensor sameCamera)
    {
        using var scope = NewDisposeScope();
        long classes = cosine.shape[1];
        var c = cosine.Clamp(-1, 1);
        var own = nn.functional.one_hot(targets, classes).to(ScalarType.Bool);
        // clamp_min(1e-12), not 0: at |cos| = 1 the sqrt's infinite slope would turn a zero gradient into NaN.
        var sine = c.Pow(2).SubtractFrom(1).ClampMin(1e-12).sqrt();
        var phi = c.Mul(Math.Cos(Margin)) - sine.Mul(Math.Sin(Margin));
        // Past θ + m = π cos(θ + m) would rise again; fall back to a linear penalty (as ArcFace implementations do).
        phi = where(c.Gt(Math.Cos(Math.PI - Margin)), phi, c.Sub(Math.Sin(Math.PI - Margin) * Margin));
        var sameCameraOthers = sameCamera.logical_and(own.logical_not());
        var logits = where(own, phi, where(sameCameraOthers, c.Mul(Tau + 1).Add(Tau), c)).Mul(Scale);
        var positive = associates.logical_and(sameCamera.logical_not()).logical_or(own);
        var max = logits.max(1, keepdim: true).values.detach();
        var shifted = logits - max;
        var negatives = shifted.exp().MaskedFill(positive, 0).sum(1, keepdim: true);
        var logProb = shifted - shifted.exp().Add(negatives).log();
        var positiveF = positive.to(cosine.dtype);
        var weight = own.to(cosine.dtype).Mul(1 - Epsilon).Add(positiveF.Mul(Epsilon) / positiveF.sum(1, keepdim: true));
        return (-(weight * logProb).sum(1)).mean().MoveToOuterDisposeScope();
    }
}
