namespace ReId.MLNet.Pipelines;

/// <summary>Checks and converts the camera/view ids an <see cref="IImageEmbedder"/> is given for a model that uses them.</summary>
internal static class EmbedderIds
{
    /// <summary>Throws a clear error when a model needs ids that were not given, or their count does not match the images.</summary>
    public static void Require(bool used, IReadOnlyList<int>? ids, int imageCount, string what, string model)
    {
        if (ids is not null && ids.Count != imageCount)
            throw new ArgumentException($"Got {imageCount} images but {ids.Count} {what} ids; one {what} id per image was expected.");
        if (used && ids is null)
            throw new ArgumentException(
                $"Model '{model}' has {what} embeddings and needs each image's {what} id; embed with the {what}s " +
                $"(IImageEmbedder.Embed(paths, cameras, views), or the dataset's {what} column).");
    }

    /// <summary>What the wrapped model is fed: position + 1, or 0 for an id the model was not trained on (see OnnxModelRewriter).</summary>
    public static long[] Feed(SortedIdIndex index, IReadOnlyList<int> ids)
    {
        var feed = new long[ids.Count];
        for (int i = 0; i < feed.Length; i++)
            feed[i] = index.IndexOf(ids[i]) + 1;
        return feed;
    }
}
