namespace ReId.Training.Models.Text;

/// <summary>Architecture of a CLIP text encoder (read from the weights by the loaders).</summary>
public sealed class ClipTextOptions
{
    /// <summary>Number of token positions (77 in every OpenAI CLIP).</summary>
    public int ContextLength { get; set; } = 77;
    /// <summary>Vocabulary size (49408 = 256 bytes × 2 + 48894 merges + 2 special tokens).</summary>
    public int VocabSize { get; set; } = 49408;
    /// <summary>Token width (512 for ViT-B/16 and RN50).</summary>
    public int Width { get; set; } = 512;
    /// <summary>Number of residual attention blocks.</summary>
    public int Layers { get; set; } = 12;
    /// <summary>Attention heads; 0 means OpenAI's rule width / 64.</summary>
    public int Heads { get; set; }
    /// <summary>Size of the text projection (the joint image-text space, 512 for B/16); 0 = no projection (identity).</summary>
    public int OutputDim { get; set; } = 512;

    /// <summary>Heads actually used.</summary>
    public int EffectiveHeads => Heads > 0 ? Heads : Math.Max(1, Width / 64);

    /// <summary>Checks the numbers are consistent; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (ContextLength <= 0 || VocabSize <= 0 || Width <= 0 || Layers < 0 || Heads < 0 || OutputDim < 0)
            throw new ArgumentException($"Invalid CLIP text options: context {ContextLength}, vocabulary {VocabSize}, width {Width}, layers {Layers}, heads {Heads}, output {OutputDim}.");
        if (Width % EffectiveHeads != 0)
            throw new ArgumentException($"Width {Width} is not divisible by {EffectiveHeads} heads.");
    }
}
