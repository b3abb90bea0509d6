using ReId.MLNet.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Pipelines;

/// <summary>Images → a feature set or a feature file (<c>.npy</c> + <c>.csv</c> sidecar): what <c>reid embed</c> does, callable from code.</summary>
public static class FeatureExtraction
{
    /// <summary>
    /// Embeds <paramref name="samples"/> (row i = sample i) with their cameras and views. A model with camera embeddings needs at least
    /// one known camera; a non-finite embedding is an <see cref="ArgumentException"/> naming the image.
    /// </summary>
    public static FeatureSet Extract(IImageEmbedder embedder, IReadOnlyList<ReIdSample> samples, IProgress<(long Done, long Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no images to embed", nameof(samples));
        if (embedder.UsesCameras && samples.All(s => s.Camera < 0))
            throw new ReIdDataException("the model has camera embeddings and needs each image's camera, but none is known: " +
                "take the images from a dataset layout, or name them Market-style (0001_c3s1_...)");
        return ModelEvaluation.Embed(embedder, samples, progress);
    }

    /// <summary>Embeds <paramref name="samples"/> as <see cref="Extract"/> does and writes them to <paramref name="npyPath"/> and its sidecar (atomically).</summary>
    public static FeatureSet ExtractToFile(IImageEmbedder embedder, IReadOnlyList<ReIdSample> samples, string npyPath,
        IProgress<(long Done, long Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(npyPath);
        if (!npyPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"the feature file must be a .npy file (got '{npyPath}')", nameof(npyPath));
        var set = Extract(embedder, samples, progress);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(npyPath))!);
        FeatureFile.Write(npyPath, set);
        return set;
    }
}
