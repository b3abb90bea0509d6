using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's image-to-text cross-entropy: logits = normalised image projection · normalised text feature / τ, cross-entropy
/// on the image's label. With a camera per class (ICDL) the softmax runs over the identities of the image's own camera
/// only — another camera's identities get −∞ logits, exactly as if each camera had its own text classifier; without
/// (the inter-camera phase), over all classes (the associated pseudo identities).
/// </summary>
public sealed class ImageToTextCrossEntropy
{
    public ImageToTextCrossEntropy(double temperature)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        Temperature = temperature;
    }

    public double Temperature { get; }

    /// <summary>The logits [B, N]; entries of classes outside an image's camera are −∞.</summary>
    /// <param name="images">[B, D] image projections (normalised here; gradients flow to them).</param>
    /// <param name="text">[N, D] text feature of each class (constants; normalised here).</param>
    /// <param name="labels">[B] int64 class of each image.</param>
    /// <param name="classCamera">[N] int64 camera of each class, or null for one softmax over all classes.</param>
    public Tensor Logits(Tensor images, Tensor text, Tensor labels, Tensor? classCamera)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 2 || text.dim() != 2 || images.shape[1] != text.shape[1])
            throw new ArgumentException($"images [{string.Join(", ", images.shape)}] and text [{string.Join(", ", text.shape)}] must be [B, D] and [N, D].");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels [{string.Join(", ", labels.shape)}] must be [{images.shape[0]}].", nameof(labels));
        if (classCamera is not null && classCamera.shape[0] != text.shape[0])
            throw new ArgumentException($"classCamera has {classCamera.shape[0]} entries for {text.shape[0]} classes.", nameof(classCamera));
        using var scope = NewDisposeScope();
        var x = nn.functional.normalize(images, p: 2, dim: 1);
        var t = nn.functional.normalize(text.detach(), p: 2, dim: 1);
        var logits = x.matmul(t.t()).Div(Temperature);
        if (classCamera is not null)
        {
            var outside = classCamera.unsqueeze(0).ne(classCamera.index_select(0, labels).unsqueeze(1));
            logits = logits.MaskedFill(outside, double.NegativeInfinity);
        }
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Mean cross-entropy of the <see cref="Logits"/> on <paramref name="labels"/>.</summary>
    public Tensor Forward(Tensor images, Tensor text, Tensor labels, Tensor? classCamera)
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(Logits(images, text, labels, classCamera), labels);
        return loss.MoveToOuterDisposeScope();
    }
}
