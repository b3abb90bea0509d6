using ReId.MLNet.Data;

namespace ReId.MLNet.Features;

/// <summary>Embeddings of a set of images with their identities, cameras and (optionally) clothes, row-aligned.</summary>
public sealed record FeatureSet(float[] Features, int Rows, int Dim, string[] Paths, int[] Identities, int[] Cameras, int[]? Clothes = null)
{
    /// <summary>One row of features.</summary>
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * Dim, Dim);

    /// <summary>Row-major embeddings of <paramref name="samples"/> (row i = sample i) with the samples' paths, identities, cameras and clothes.</summary>
    public static FeatureSet FromSamples(float[] features, int dim, IReadOnlyList<ReIdSample> samples)
    {
        bool clothes = samples.Any(s => s.Clothes >= 0);
        return new FeatureSet(features, samples.Count, dim, [.. samples.Select(s => s.ImagePath)], [.. samples.Select(s => s.Identity)],
            [.. samples.Select(s => s.Camera)], clothes ? [.. samples.Select(s => s.Clothes)] : null);
    }
}
