namespace ReId.Training.Weights;

/// <summary>Naming convention of a CLIP checkpoint.</summary>
public enum ClipLayout
{
    /// <summary>OpenAI's names (<c>visual.conv1.weight</c>, packed <c>attn.in_proj_weight</c>, <c>visual.proj</c>).</summary>
    OpenAi,
    /// <summary>Hugging Face transformers' names (<c>vision_model.embeddings.patch_embedding.weight</c>, separate q/k/v, <c>visual_projection.weight</c> = projᵀ).</summary>
    HuggingFace,
}
