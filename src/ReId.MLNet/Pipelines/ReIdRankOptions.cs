using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Pipelines;

/// <summary>Options of <c>ReIdRank</c>: the gallery stored in the model, how many items to return, and the names of the three output columns.</summary>
public sealed class ReIdRankOptions
{
    /// <summary>The column of gallery row indices (Int64 vector, best first). Required.</summary>
    public string OutputColumnName { get; set; } = "";

    /// <summary>The query embedding column; null = <see cref="OutputColumnName"/> (ML.NET's in-place convention).</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The column of the ranked items' identities (Int64 vector); null = <see cref="OutputColumnName"/> + "Identities".</summary>
    public string? IdentitiesColumnName { get; set; }

    /// <summary>The column of the ranked items' distances (float vector); null = <see cref="OutputColumnName"/> + "Distances".</summary>
    public string? DistancesColumnName { get; set; }

    /// <summary>Gallery features, rows × <see cref="Dimension"/>, row-major. Required.</summary>
    public float[] Gallery { get; set; } = [];

    /// <summary>Length of one embedding. Required.</summary>
    public int Dimension { get; set; }

    /// <summary>Identity of each gallery row; null = the row index.</summary>
    public long[]? GalleryIdentities { get; set; }

    /// <summary>How many gallery items each query gets.</summary>
    public int TopK { get; set; } = 10;

    /// <summary>The distance: 1 − cos for <see cref="DistanceMetric.Cosine"/>, plain L2 for <see cref="DistanceMetric.Euclidean"/>.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Cosine;

    /// <summary>Sets <see cref="Gallery"/>, <see cref="Dimension"/> and <see cref="GalleryIdentities"/> from a feature set (for example <c>FeatureFile.Read</c>).</summary>
    public ReIdRankOptions WithGallery(FeatureSet gallery)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        if (gallery.Features.Length != (long)gallery.Rows * gallery.Dim)
            throw new ArgumentException($"The gallery feature set holds {gallery.Features.Length} floats for {gallery.Rows}×{gallery.Dim}.", nameof(gallery));
        Gallery = gallery.Features;
        Dimension = gallery.Dim;
        GalleryIdentities = [.. gallery.Identities.Select(i => (long)i)];
        return this;
    }
}
