namespace ReId.Storage;

/// <summary>
/// Rows to store, row-aligned: embeddings (row-major, <c>Dim</c> floats a row) with their image paths, identities and cameras, and
/// optionally the time each image was taken and the track it belongs to (a deployment's metadata; evaluation sets have neither).
/// A null path or camera is stored as NULL (paths are unique when given).
/// </summary>
public sealed record GalleryRows(float[] Features, string?[] Paths, int[] Identities, int?[] Cameras,
    DateTimeOffset?[]? Timestamps = null, int?[]? Tracks = null)
{
    public int Count => Identities.Length;

    /// <summary>Rows from a feature file's set (path, identity, camera of its sidecar).</summary>
    public static GalleryRows From(ReId.MLNet.Features.FeatureSet set) =>
        new(set.Features, set.Paths, set.Identities, [.. set.Cameras.Select(c => (int?)c)]);
}
