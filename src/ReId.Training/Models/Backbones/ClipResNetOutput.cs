using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>Everything a CLIP ModifiedResNet image encoder can give a ReID head.</summary>
/// <param name="Projected">Attention-pooled embedding (<c>attnpool</c> output): [B, outputDim].</param>
/// <param name="Pooled">Global average of layer4's feature map: [B, 32 · width].</param>
/// <param name="FeatureMap">layer4's feature map: [B, 32 · width, gridH, gridW].</param>
public sealed record ClipResNetOutput(Tensor Projected, Tensor Pooled, Tensor FeatureMap) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Projected.Dispose();
        Pooled.Dispose();
        FeatureMap.Dispose();
    }
}
