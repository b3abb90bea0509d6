using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Ranking;

/// <summary>Options of <see cref="FeatureSearch"/>.</summary>
public sealed class FeatureSearchOptions
{
    /// <summary>Gallery rows returned per query (capped at the gallery size).</summary>
    public int TopK { get; set; } = 10;

    /// <summary>Cosine (1 − cos, rows L2-normalised) or Euclidean.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Cosine;

    /// <summary>Worker threads; null uses every core.</summary>
    public int? Threads { get; set; }

    /// <summary>CUDA device for the similarity Gemm (needs the GPU ONNX Runtime package; no fallback: an absent device is an error).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>How the gallery is held in memory (float32 is exact).</summary>
    public GalleryStorage Storage { get; set; } = GalleryStorage.Float32;

    /// <summary>Draw a rank-list picture here (needs both sidecar CSVs naming image files); null draws none.</summary>
    public string? RankListPath { get; set; }

    /// <summary>Queries drawn in the rank-list picture (the first ones).</summary>
    public int RankListQueries { get; set; } = 8;

    /// <summary>Gallery images drawn per query (at most <see cref="TopK"/>).</summary>
    public int RankListTopK { get; set; } = 10;
}
