using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// What CLIP-ReID needs of a CLIP image encoder (ViT or ModifiedResNet): a global feature for the ReID losses and its
/// projection into the joint image–text space, in TorchSharp and as ONNX nodes.
/// </summary>
public interface IClipImageEncoder
{
    /// <summary>Size of the global feature (ViT: width of the class token; ModifiedResNet: layer4 channels).</summary>
    int FeatureSize { get; }

    /// <summary>Size of the projection (the text encoder's output size).</summary>
    int EmbeddingSize { get; }

    /// <summary>Images → (global feature [B, FeatureSize], projection [B, EmbeddingSize]), both owned by the caller.</summary>
    (Tensor Feature, Tensor Projected) EncodeForReId(Tensor images);

    /// <summary>Writes both outputs into an ONNX graph.</summary>
    (string Feature, string Projected) ExportForReId(OnnxExportContext ctx, string input);
}
