namespace ReId.Training.Models.Backbones;

/// <summary>Architecture of a CLIP ModifiedResNet image encoder (RN50, RN101, RN50x4 …; read from the weights by the loader).</summary>
public sealed class ClipResNetOptions
{
    /// <summary>Bottleneck blocks in layer1..layer4 ([3, 4, 6, 3] for RN50).</summary>
    public int[] Layers { get; set; } = [3, 4, 6, 3];
    /// <summary>Base width: the stem's output channels (64 for RN50, 80 for RN50x4); layer4 has 32 × width channels.</summary>
    public int Width { get; set; } = 64;
    /// <summary>Attention-pool heads; 0 means OpenAI's rule width · 32 / 64.</summary>
    public int Heads { get; set; }
    /// <summary>Output size of the attention pool's <c>c_proj</c> (1024 for RN50).</summary>
    public int OutputDim { get; set; } = 1024;
    /// <summary>Input height in pixels.</summary>
    public int InputHeight { get; set; } = 224;
    /// <summary>Input width in pixels.</summary>
    public int InputWidth { get; set; } = 224;
    /// <summary>Stride of layer4's first block: 2 as in CLIP, 1 for ReID (a twice larger final map, as CLIP-ReID uses).</summary>
    public int LastStride { get; set; } = 2;
    /// <summary>Grid rows the positional embedding was trained for (7 for 224-pixel CLIP checkpoints); informational, set by the loader.</summary>
    public int PretrainedGridHeight { get; set; } = 7;
    /// <summary>Grid columns the positional embedding was trained for; informational, set by the loader.</summary>
    public int PretrainedGridWidth { get; set; } = 7;

    /// <summary>Heads actually used.</summary>
    public int EffectiveHeads => Heads > 0 ? Heads : Math.Max(1, Width * 32 / 64);
    /// <summary>Channels of layer4's output and of the attention pool's tokens (width · 32).</summary>
    public int EmbedDim => Width * 32;
    /// <summary>Total downsampling factor of the feature map (32, or 16 with last stride 1).</summary>
    public int Stride => 16 * LastStride;
    /// <summary>Rows of layer4's feature map for <see cref="InputHeight"/>.</summary>
    public int GridHeight => MapSize(InputHeight);
    /// <summary>Columns of layer4's feature map for <see cref="InputWidth"/>.</summary>
    public int GridWidth => MapSize(InputWidth);

    /// <summary>Side of the feature map for an input side: conv1 (stride 2, pad 1) rounds up, every 2×2 average pool rounds down.</summary>
    private int MapSize(int pixels)
    {
        int s = (pixels + 1) / 2;
        int pools = LastStride == 1 ? 3 : 4;
        for (int i = 0; i < pools; i++) s /= 2;
        return s;
    }

    /// <summary>Checks the numbers are consistent; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (Layers is null || Layers.Length != 4 || Layers.Any(n => n < 1))
            throw new ArgumentException($"CLIP ModifiedResNet needs four layer counts of at least 1; got [{string.Join(", ", Layers ?? [])}].");
        if (Width <= 0 || Width % 2 != 0 || OutputDim <= 0 || Heads < 0)
            throw new ArgumentException($"Invalid CLIP ModifiedResNet options: width {Width} (positive and even), output {OutputDim}, heads {Heads}.");
        if (LastStride is not (1 or 2))
            throw new ArgumentException($"Last stride must be 1 or 2; got {LastStride}.");
        if (PretrainedGridHeight <= 0 || PretrainedGridWidth <= 0)
            throw new ArgumentException($"Pretrained grid {PretrainedGridHeight}x{PretrainedGridWidth} must be positive.");
        if (GridHeight < 1 || GridWidth < 1)
            throw new ArgumentException($"Input {InputHeight}x{InputWidth} is smaller than the {Stride}-pixel stride of the feature map.");
        if (EmbedDim % EffectiveHeads != 0)
            throw new ArgumentException($"Attention-pool width {EmbedDim} is not divisible by {EffectiveHeads} heads.");
    }
}
