using ReId.MLNet.Data;

namespace ReId.MLNet.Features;

/// <summary>
/// Embeddings of a set of images with their identities, cameras and (optionally) clothes, row-aligned. Construction refuses
/// a NaN or ±∞ feature with an <see cref="ArgumentException"/> naming the row and its image.
/// </summary>
public sealed record FeatureSet(float[] Features, int Rows, int Dim, string[] Paths, int[] Identities, int[] Cameras, int[]? Clothes = null)
{
    // An initialiser runs inside the primary constructor, so every set built in memory (files, embedders, user code) is checked once.
    public float[] Features { get; init; } = RequireFinite(Features, Dim, Paths);

    /// <summary>One row of features.</summary>
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * Dim, Dim);

    /// <summary>Row-major embeddings of <paramref name="samples"/> (row i = sample i) with the samples' paths, identities, cameras and clothes.</summary>
    public static FeatureSet FromSamples(float[] features, int dim, IReadOnlyList<ReIdSample> samples)
    {
        bool clothes = samples.Any(s => s.Clothes >= 0);
        return new FeatureSet(features, samples.Count, dim, [.. samples.Select(s => s.ImagePath)], [.. samples.Select(s => s.Identity)],
            [.. samples.Select(s => s.Camera)], clothes ? [.. samples.Select(s => s.Clothes)] : null);
    }

    private static float[] RequireFinite(float[] features, int dim, string[]? paths)
    {
        ArgumentNullException.ThrowIfNull(features);
        int at = FiniteValues.IndexOfNonFinite(features);
        if (at < 0) return features;
        int row = dim > 0 ? at / dim : at;
        string image = paths is not null && row < paths.Length && !string.IsNullOrEmpty(paths[row]) ? $" (image '{paths[row]}')" : "";
        string kind = float.IsNaN(features[at]) ? "NaN" : "an infinity";
        throw new ArgumentException($"feature set row {row}{image} holds {kind} at column {(dim > 0 ? at % dim : 0)}; embeddings must be finite");
    }
}
