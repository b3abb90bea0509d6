using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>What CSGN's two image encoders and VSS give for a batch (all owned by the caller).</summary>
/// <param name="ResNet">Average-pooled layer4 feature of the CLIP ModifiedResNet [B, Cr].</param>
/// <param name="Vit">Final class token of the CLIP ViT [B, Cv].</param>
/// <param name="VitProjected">The class token projected into the joint image–text space [B, D].</param>
/// <param name="Fused">The VSS feature [B, D], or null without fusion.</param>
public sealed record CsgnFeatures(Tensor ResNet, Tensor Vit, Tensor VitProjected, Tensor? Fused) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        ResNet.Dispose();
        Vit.Dispose();
        VitProjected.Dispose();
        Fused?.Dispose();
    }
}
