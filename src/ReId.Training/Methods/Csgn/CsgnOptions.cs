using System.ComponentModel;
using System.Text.Json.Serialization;

namespace ReId.Training.Methods.Csgn;

/// <summary>CSGN's settings section (<c>--set csgn.fusion=steer</c>); docs/methods/csgn.md argues each default.</summary>
public sealed class CsgnOptions : MethodOptions
{
    /// <inheritdoc/>
    public override string Key => "csgn";

    [Description("Safetensors file of CLIP RN50 (OpenAI or Hugging Face names) for the ResNet encoder; the ViT and text towers come from pretrained-weights")]
    public string? ResNetWeights { get; set; }

    [Description("Learn prompt banks and constrain the image features with their text (false: no text at all, the ablation's baseline)")]
    public bool Prompts { get; set; } = true;

    [Description("Learn a second prompt bank from grayscale copies of the images (MDG)")]
    public bool GreyBank { get; set; } = true;

    [Description("VSS: how ResNet and ViT features combine: concat (projection of both added to the ViT projection), steer (ResNet gates the ViT projection's channels) or none")]
    [JsonConverter(typeof(JsonStringEnumConverter<CsgnFusion>))]
    public CsgnFusion Fusion { get; set; } = CsgnFusion.Concat;

    [Description("HSF: apply the image-to-text terms to the fused feature (false: to the ViT projection)")]
    public bool Hsf { get; set; } = true;

    [Description("Weight of the image-to-text cross-entropy against the RGB prompt bank")]
    public double RgbTextWeight { get; set; } = 1;

    [Description("Weight of the image-to-text cross-entropy against the grey prompt bank")]
    public double GreyTextWeight { get; set; } = 1;

    /// <inheritdoc/>
    public override void Validate()
    {
        if (RgbTextWeight < 0) throw new ArgumentException($"csgn.rgb-text-weight is {RgbTextWeight}; expected 0 or more");
        if (GreyTextWeight < 0) throw new ArgumentException($"csgn.grey-text-weight is {GreyTextWeight}; expected 0 or more");
        if (Hsf && Fusion == CsgnFusion.None) throw new ArgumentException("csgn.hsf=true constrains the fused feature: it needs csgn.fusion=concat or steer (or set csgn.hsf=false)");
        if (Prompts && GreyTextWeight > 0 && !GreyBank) throw new ArgumentException("csgn.grey-text-weight is above 0 but csgn.grey-bank=false: set csgn.grey-text-weight=0 too");
        if (ResNetWeights is { Length: 0 }) throw new ArgumentException("csgn.resnet-weights is empty; give a CLIP RN50 safetensors file or leave it unset");
    }
}
