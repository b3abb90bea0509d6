using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>Everything a CLIP image encoder can give a ReID head.</summary>
/// <param name="Projected">Class token after <c>ln_post</c> and <c>proj</c>: [B, outputDim].</param>
/// <param name="ClassToken">Class token after <c>ln_post</c>, before the projection: [B, width].</param>
/// <param name="PatchTokens">Final patch tokens (after <c>ln_post</c>): [B, gridH·gridW, width].</param>
public sealed record ClipVisionOutput(Tensor Projected, Tensor ClassToken, Tensor PatchTokens) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Projected.Dispose();
        ClassToken.Dispose();
        PatchTokens.Dispose();
    }
}
