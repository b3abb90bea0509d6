using static TorchSharp.torch;

namespace ReId.Training.Models.Heads;

/// <summary>BNNeck outputs: feature before BN (triplet), after BN, and identity logits (null without a classifier).</summary>
public sealed record NeckOutput(Tensor BeforeBn, Tensor AfterBn, Tensor? Logits) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        BeforeBn.Dispose();
        AfterBn.Dispose();
        Logits?.Dispose();
    }
}
