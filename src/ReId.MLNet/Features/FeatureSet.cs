namespace ReId.MLNet.Features;

/// <summary>Embeddings of a set of images with their identities, cameras and (optionally) clothes, row-aligned.</summary>
public sealed record FeatureSet(float[] Features, int Rows, int Dim, string[] Paths, int[] Identities, int[] Cameras, int[]? Clothes = null)
{
    /// <summary>One row of features.</summary>
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * Dim, Dim);
}
