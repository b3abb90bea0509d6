using System.ComponentModel;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>CLIP-SENet's settings section (<c>--set senet.KEY=VALUE</c>).</summary>
public sealed class ClipSeNetOptions : MethodOptions
{
    /// <inheritdoc/>
    public override string Key => "senet";

    [Description("Use the semantic branch (SEM, a CLIP image encoder); false trains the appearance branch alone")]
    public bool Sem { get; set; } = true;

    [Description("CLIP weights for SEM (safetensors, OpenAI or Hugging Face names; ViT incl. TinyCLIP, or RN50); empty = random SEM")]
    public string? ClipWeights { get; set; }

    [Description("Refuse to start without senet.clip-weights (the paper setting)")]
    public bool RequireClipWeights { get; set; }

    [Description("SEM encoder family for random weights: vit (sized by vit-width/vit-layers/vit-patch/embedding-dim) or rn50; a weights file decides itself")]
    public string ClipKind { get; set; } = "vit";

    [Description("Keep SEM's weights fixed (the paper); false fine-tunes it with the backbone learning rate")]
    public bool FreezeSem { get; set; } = true;

    [Description("AFEM re-weighting: linear (a linear map per group, default), gate (a scalar per group) or none (fuse SEM's embedding as it is)")]
    public string AfemMode { get; set; } = "linear";

    [Description("AFEM groups G (must divide SEM's embedding size; 32 in the paper)")]
    public int Groups { get; set; } = 32;

    [Description("Weight of the label-smoothed cross-entropy on the fused neck")]
    public double CeWeight { get; set; } = 1;

    [Description("Weight of the supervised contrastive loss on the fused feature before BN")]
    public double SupconWeight { get; set; } = 1;

    [Description("SupCon temperature")]
    public double Temperature { get; set; } = 0.07;

    [Description("Count same-identity images from the anchor's camera as SupCon positives (false: only cross-camera pairs)")]
    public bool SameCameraPositives { get; set; } = true;

    /// <summary>The AFEM reading, or null for none.</summary>
    public Models.Heads.AfemMode? ParsedAfemMode => AfemMode.ToLowerInvariant() switch
    {
        "linear" => Models.Heads.AfemMode.GroupLinear,
        "gate" => Models.Heads.AfemMode.GroupGate,
        "none" => null,
        var other => throw new ArgumentException($"senet.afem-mode '{other}': expected linear, gate or none"),
    };

    /// <inheritdoc/>
    public override void Validate()
    {
        _ = ParsedAfemMode;
        if (ClipKind.ToLowerInvariant() is not ("vit" or "rn50"))
            throw new ArgumentException($"senet.clip-kind '{ClipKind}': expected vit or rn50");
        if (Groups < 1) throw new ArgumentException($"senet.groups is {Groups}; expected a positive divisor of SEM's embedding size (32 in the paper)");
        if (CeWeight < 0 || SupconWeight < 0 || CeWeight + SupconWeight == 0)
            throw new ArgumentException($"senet.ce-weight ({CeWeight}) and senet.supcon-weight ({SupconWeight}) must be non-negative and not both zero");
        if (!(Temperature > 0)) throw new ArgumentException($"senet.temperature is {Temperature}; expected a positive number such as 0.07");
        if (!Sem && ParsedAfemMode is not null)
            throw new ArgumentException("senet.afem-mode: AFEM enhances SEM's embedding; with senet.sem=false set senet.afem-mode=none");
        if (RequireClipWeights && string.IsNullOrWhiteSpace(ClipWeights))
            throw new ArgumentException("senet.clip-weights is required by this recipe: give the CLIP image-encoder weights with --set senet.clip-weights=FILE.safetensors " +
                "(TinyCLIP, ViT-B/16 or RN50); clip-senet-small trains from a random SEM");
        if (!string.IsNullOrWhiteSpace(ClipWeights) && !File.Exists(ClipWeights))
            throw new ArgumentException($"senet.clip-weights file '{ClipWeights}' does not exist");
    }
}
