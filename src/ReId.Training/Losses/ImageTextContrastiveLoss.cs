using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// CLIP-ReID stage-1 loss: image-to-text plus text-to-image contrastive terms where every pair of the same identity
/// is a positive. Each direction is <c>SupCon(anchors, contrasts)</c> in CLIP-ReID's form: logits = a·cᵀ / τ,
/// log-softmax over the contrasts, averaged over the positives of each anchor, then over anchors.
/// The features are used as given (CLIP-ReID feeds normalised features; τ = 1 there).
/// </summary>
public sealed class ImageTextContrastiveLoss
{
    public ImageTextContrastiveLoss(double temperature = 1.0, double imageToTextWeight = 1.0, double textToImageWeight = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        Temperature = temperature;
        ImageToTextWeight = imageToTextWeight;
        TextToImageWeight = textToImageWeight;
    }

    public double Temperature { get; }
    public double ImageToTextWeight { get; }
    public double TextToImageWeight { get; }

    /// <summary>Weighted sum of both directions.</summary>
    /// <param name="imageFeatures">[B, D] image features.</param>
    /// <param name="textFeatures">[M, D] text features (in stage 1, the prompt features of the batch's labels).</param>
    /// <param name="imageLabels">[B] int64.</param>
    /// <param name="textLabels">[M] int64.</param>
    public Tensor Forward(Tensor imageFeatures, Tensor textFeatures, Tensor imageLabels, Tensor textLabels)
    {
        using var scope = NewDisposeScope();
        var i2t = Directional(imageFeatures, textFeatures, imageLabels, textLabels, Temperature);
        var t2i = Directional(textFeatures, imageFeatures, textLabels, imageLabels, Temperature);
        return i2t.Mul(ImageToTextWeight).Add(t2i.Mul(TextToImageWeight)).MoveToOuterDisposeScope();
    }

    /// <summary>One direction: anchors contrasted against all contrasts; positives share the label.</summary>
    public static Tensor Directional(Tensor anchors, Tensor contrasts, Tensor anchorLabels, Tensor contrastLabels, double temperature = 1.0)
    {
        LossChecks.Features(anchors, anchorLabels, nameof(anchors));
        LossChecks.Features(contrasts, contrastLabels, nameof(contrasts));
        if (anchors.shape[1] != contrasts.shape[1])
        {
            throw new ArgumentException($"Anchor dimension {anchors.shape[1]} differs from contrast dimension {contrasts.shape[1]}.", nameof(contrasts));
        }

        using var scope = NewDisposeScope();
        var mask = anchorLabels.unsqueeze(1).eq(contrastLabels.unsqueeze(0)).to(anchors.dtype);
        var count = mask.sum(1);
        if (!count.Gt(0).all().item<bool>())
        {
            throw new ArgumentException("Every anchor needs at least one contrast with its label.", nameof(contrastLabels));
        }

        var logits = anchors.matmul(contrasts.t()).Div(temperature);
        var logProb = nn.functional.log_softmax(logits, 1);
        var meanLogProbPos = (mask * logProb).sum(1) / count;
        return (-meanLogProbPos.mean()).MoveToOuterDisposeScope();
    }
}
