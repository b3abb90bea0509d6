namespace ReId.Training.Models.Backbones;

/// <summary>Architecture of a CLIP ViT image encoder (read from the weights by the loaders).</summary>
public sealed class ClipVisionOptions
{
    /// <summary>Token width (768 for B/16).</summary>
    public int Width { get; set; } = 768;
    /// <summary>Number of residual attention blocks.</summary>
    public int Layers { get; set; } = 12;
    /// <summary>Attention heads; 0 means OpenAI's rule width / 64.</summary>
    public int Heads { get; set; }
    /// <summary>Patch (kernel) size.</summary>
    public int PatchSize { get; set; } = 16;
    /// <summary>Stride of the patch convolution; smaller than <see cref="PatchSize"/> gives overlapping patches. 0 = patch size.</summary>
    public int PatchStride { get; set; }
    /// <summary>Input height in pixels.</summary>
    public int InputHeight { get; set; } = 224;
    /// <summary>Input width in pixels.</summary>
    public int InputWidth { get; set; } = 224;
    /// <summary>Projection output size (512 for B/16); 0 = no projection (identity).</summary>
    public int OutputDim { get; set; } = 512;
    /// <summary>Number of cameras for SIE camera embeddings added to the class token; 0 = none.</summary>
    public int CameraCount { get; set; }
    /// <summary>Scale of the camera embedding (CLIP-ReID's SIE_COE, 3.0 by default there).</summary>
    public float CameraCoefficient { get; set; } = 3.0f;

    /// <summary>Heads actually used.</summary>
    public int EffectiveHeads => Heads > 0 ? Heads : Math.Max(1, Width / 64);
    /// <summary>Stride actually used.</summary>
    public int EffectiveStride => PatchStride > 0 ? PatchStride : PatchSize;
    /// <summary>Patch rows: (H − patch) / stride + 1.</summary>
    public int GridHeight => (InputHeight - PatchSize) / EffectiveStride + 1;
    /// <summary>Patch columns: (W − patch) / stride + 1.</summary>
    public int GridWidth => (InputWidth - PatchSize) / EffectiveStride + 1;

    /// <summary>Checks the numbers are consistent; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (Width <= 0 || Layers < 0 || PatchSize <= 0 || EffectiveStride <= 0 || OutputDim < 0 || CameraCount < 0)
            throw new ArgumentException($"Invalid CLIP ViT options: width {Width}, layers {Layers}, patch {PatchSize}, stride {EffectiveStride}, output {OutputDim}, cameras {CameraCount}.");
        if (InputHeight < PatchSize || InputWidth < PatchSize)
            throw new ArgumentException($"Input {InputHeight}x{InputWidth} is smaller than the {PatchSize}-pixel patch.");
        if (Width % EffectiveHeads != 0)
            throw new ArgumentException($"Width {Width} is not divisible by {EffectiveHeads} heads.");
    }
}
