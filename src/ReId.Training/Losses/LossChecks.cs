using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>Shape checks shared by the losses, so a wrong tensor fails with a message rather than deep inside libtorch.</summary>
internal static class LossChecks
{
    public static void Logits(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 2)
        {
            throw new ArgumentException($"Logits must be [batch, classes]; got [{string.Join(", ", logits.shape)}].", nameof(logits));
        }

        Labels(labels, logits.shape[0]);
    }

    public static void Features(Tensor features, Tensor labels, string name = "features")
    {
        if (features.dim() != 2)
        {
            throw new ArgumentException($"Features must be [batch, dim]; got [{string.Join(", ", features.shape)}].", name);
        }

        Labels(labels, features.shape[0]);
    }

    public static void Labels(Tensor labels, long batch)
    {
        if (labels.dim() != 1 || labels.shape[0] != batch)
        {
            throw new ArgumentException($"Labels must be [{batch}]; got [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        if (labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Labels must be int64; got {labels.dtype}.", nameof(labels));
        }
    }
}
