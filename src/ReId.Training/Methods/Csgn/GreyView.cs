using ReId.Training.Utils;
using ReId.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// The grayscale copy of a normalised image batch that CSGN's grey prompt bank is learnt against: each pixel is
/// un-normalised, replaced by its ITU-R BT.601 luma <c>Y = 0.299·R + 0.587·G + 0.114·B</c> (the weights torchvision's
/// <c>Grayscale</c> and <see cref="RandomGrayscale"/> use) in all three channels, and normalised again with the same
/// statistics, so the encoders see a grey image exactly as the evaluation pipeline would feed one.
/// </summary>
public static class GreyView
{
    /// <summary>BT.601 luma weights for R, G, B.</summary>
    public static readonly float[] LumaWeights = [0.299f, 0.587f, 0.114f];

    /// <summary>Normalised images [B, 3, H, W] → their normalised grey copies [B, 3, H, W] (a new tensor; no gradient is needed through it).</summary>
    public static Tensor Of(Tensor images, Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(normalization);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"Images must be [batch, 3, height, width]; got [{string.Join(",", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        var mean = torch.tensor(normalization.Mean, dtype: images.dtype, device: images.device).reshape(1, 3, 1, 1);
        var std = torch.tensor(normalization.Std, dtype: images.dtype, device: images.device).reshape(1, 3, 1, 1);
        // Y = Σ w_c (x_c·s_c + m_c): the un-normalisation folded into one weighted channel sum and a constant.
        var weights = torch.tensor(LumaWeights, dtype: images.dtype, device: images.device).reshape(1, 3, 1, 1);
        double offset = LumaWeights.Select((w, c) => (double)w * normalization.Mean[c]).Sum();
        var luma = (images * (weights * std)).sum(1, keepdim: true).Add(offset);
        return ((luma - mean) / std).MoveToOuterDisposeScope();
    }
}
