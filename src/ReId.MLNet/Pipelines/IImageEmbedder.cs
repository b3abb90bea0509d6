namespace ReId.MLNet.Pipelines;

/// <summary>Turns image files into embeddings; what <c>reid embed</c> and evaluation call, whatever runs the model.</summary>
public interface IImageEmbedder : IDisposable
{
    /// <summary>Length of one embedding.</summary>
    int EmbeddingSize { get; }

    /// <summary>Embeds the images in order; returns N×<see cref="EmbeddingSize"/> floats, row-major.</summary>
    float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default);
}
