namespace ReId.MLNet.Pipelines;

/// <summary>Options of <c>ClipImageFeatures</c>: the model (<see cref="ReIdEmbedOptions.ModelPath"/> or <see cref="ReIdEmbedOptions.ModelPackage"/>), the columns, and
/// overrides of CLIP's preprocessing (224×224, CLIP mean/std, RGB by default).</summary>
public sealed class ClipImageFeaturesOptions : ReIdEmbedOptions
{
    /// <summary>CLIP's default input side.</summary>
    public const int ClipInputSize = 224;

    /// <summary>The CLIP embedding's column (used by the <c>ClipImageFeatures(options)</c> overload). Required there.</summary>
    public string OutputColumnName { get; set; } = "";

    /// <summary>The image path (or image) column; null = <see cref="OutputColumnName"/> (used by the <c>ClipImageFeatures(options)</c> overload).</summary>
    public string? InputColumnName { get; set; }

    /// <summary>When set, a second output column with this name receives the model output <see cref="PatchTokensOutputName"/>.</summary>
    public string? PatchTokensColumnName { get; set; }

    /// <summary>The model output holding the patch tokens (needed with <see cref="PatchTokensColumnName"/>).</summary>
    public string? PatchTokensOutputName { get; set; }
}
