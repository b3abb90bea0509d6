namespace ReId.Training.Methods.Csgn;

/// <summary>How CSGN's Visual Semantic Steering (VSS) combines the ResNet and ViT features.</summary>
public enum CsgnFusion
{
    /// <summary>No fused feature: the two encoders' features are only concatenated into the embedding (the ablation's baseline).</summary>
    None,
    /// <summary>The ViT's projection plus a learnt projection of the concatenated (layer-normalised) ResNet and ViT features; zero-initialised, so training starts from CLIP's joint space.</summary>
    Concat,
    /// <summary>Channel attention: the ResNet feature gates each channel of the ViT's projection with 2·σ(G·LN(r)); zero-initialised gate = 1.</summary>
    Steer,
}
