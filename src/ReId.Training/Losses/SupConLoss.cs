using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// Supervised contrastive loss (Khosla et al., "SupCon out" form) on one view per sample: for each anchor, the mean
/// over its positives (same label, excluding itself) of <c>−log softmax</c> over all other samples of
/// <c>z_a·z_p / τ</c>. Features are L2-normalised here. Anchors without a positive are left out of the mean.
/// </summary>
public sealed class SupConLoss
{
    public SupConLoss(double temperature = 0.07)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        Temperature = temperature;
    }

    public double Temperature { get; }

    public Tensor Forward(Tensor features, Tensor labels)
    {
        LossChecks.Features(features, labels);
        using var scope = NewDisposeScope();
        long n = features.shape[0];
        var z = nn.functional.normalize(features, p: 2, dim: 1);
        var logits = z.matmul(z.t()).Div(Temperature);
        var self = eye(n, dtype: ScalarType.Bool, device: features.device);
        // Subtracting the row maximum changes nothing mathematically and keeps exp() finite.
        logits = logits - logits.detach().max(1, keepdim: true).values;
        var denominator = logits.MaskedFill(self, double.NegativeInfinity).logsumexp(1, keepdim: true);
        var logProb = logits - denominator;
        var positives = labels.unsqueeze(1).eq(labels.unsqueeze(0)).logical_and(self.logical_not()).to(features.dtype);
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
