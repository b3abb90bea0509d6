namespace ReId.Training.Weights;

/// <summary>Which of CLIP's two image-encoder families a checkpoint holds.</summary>
public enum ClipImageEncoderKind
{
    /// <summary>No CLIP image encoder recognised.</summary>
    Unknown,
    /// <summary>Vision transformer (<c>visual.class_embedding</c>, <c>visual.transformer.*</c>; or Hugging Face's <c>vision_model.*</c>).</summary>
    Vit,
    /// <summary>ModifiedResNet (<c>visual.layer1.*</c> … <c>visual.attnpool.*</c>): RN50, RN101, RN50x4 ….</summary>
    ModifiedResNet,
}
