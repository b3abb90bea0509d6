namespace ReId.Training.Weights;

/// <summary>Tells CLIP's image-encoder families apart by tensor names (both have <c>visual.conv1.weight</c>).</summary>
public static class ClipImageEncoders
{
    /// <summary>The encoder family of a checkpoint's tensor names, with or without the <c>visual.</c> prefix.</summary>
    public static ClipImageEncoderKind Detect(IEnumerable<string> names)
    {
        var set = names as ICollection<string> ?? names.ToList();
        if (set.Contains("visual.class_embedding") || set.Contains("class_embedding")
            || set.Contains("vision_model.embeddings.patch_embedding.weight") || set.Contains("vision_model.embeddings.class_embedding"))
            return ClipImageEncoderKind.Vit;
        if (IsModifiedResNet(set, "visual.") || IsModifiedResNet(set, ""))
            return ClipImageEncoderKind.ModifiedResNet;
        return ClipImageEncoderKind.Unknown;
    }

    // The attention pool is unique to ModifiedResNet; without it (a damaged file), its three-convolution stem
    // still sets it apart from torchvision's ResNets, which have a single stem convolution.
    private static bool IsModifiedResNet(ICollection<string> names, string prefix) =>
        names.Any(n => n.StartsWith(prefix + "attnpool.", StringComparison.Ordinal))
        || (names.Contains(prefix + "conv3.weight") && names.Any(n => n.StartsWith(prefix + "layer1.", StringComparison.Ordinal)));
}
