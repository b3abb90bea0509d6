using ReId.Training.Models.Heads;

namespace ReId.Training.Onnx;

/// <summary>How <see cref="BackbonePackageExporter"/> builds the network it exports.</summary>
public sealed class BackboneExportOptions
{
    /// <summary>Input height and width; null = the pretrained size (CLIP only: the ResNets need it).</summary>
    public (int Height, int Width)? InputSize { get; set; }

    /// <summary>CLIP ViT: patch stride (overlapping patches when smaller than the patch); 0 = the patch size.</summary>
    public int PatchStride { get; set; }

    /// <summary>CLIP: resize the positional grid bicubically (true, CLIP-ReID's choice) or bilinearly.</summary>
    public bool BicubicPositionResize { get; set; } = true;

    /// <summary>ResNets: stride of the last stage, 1 (ReID) or 2 (ImageNet); null = 2 for <c>clip-rn50</c>, 1 for the ReID ResNets.</summary>
    public int? LastStride { get; set; }

    /// <summary>ResNet ReID models: which BNNeck feature is the embedding.</summary>
    public NeckFeature Feature { get; set; } = NeckFeature.AfterBn;
}
