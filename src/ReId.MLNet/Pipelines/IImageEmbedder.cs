namespace ReId.MLNet.Pipelines;

/// <summary>Turns image files into embeddings; what <c>reid embed</c> and evaluation call, whatever runs the model.</summary>
public interface IImageEmbedder : IDisposable
{
    /// <summary>Length of one embedding.</summary>
    int EmbeddingSize { get; }

    /// <summary>Whether the model also needs each image's camera id (camera embeddings such as SIE).</summary>
    bool UsesCameras => false;

    /// <summary>Whether the model also needs each image's view (viewpoint) id.</summary>
    bool UsesViews => false;

    /// <summary>Embeds the images in order; returns N×<see cref="EmbeddingSize"/> floats, row-major.</summary>
    float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Embeds the images with their dataset camera and view ids (one per image; ignored by a model that does not use
    /// them, required by one that does). The ids are the dataset's own; the embedder maps them to the model's positions.
    /// </summary>
    float[] Embed(IReadOnlyList<string> imagePaths, IReadOnlyList<int>? cameras, IReadOnlyList<int>? views,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Embed(imagePaths, progress, cancellationToken);
}
