namespace ReId.MLNet.Evaluation;

/// <summary>Options of <see cref="ReIdEvaluator"/>.</summary>
public sealed class EvaluationOptions
{
    public EvaluationProtocol Protocol { get; set; } = EvaluationProtocol.Market;
    /// <summary>Length of the CMC curve.</summary>
    public int MaxRank { get; set; } = 50;
    /// <summary>Distance used by the feature-based entry points.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Cosine;
    /// <summary>Apply k-reciprocal re-ranking (feature-based entry points).</summary>
    public bool Rerank { get; set; }
    public int K1 { get; set; } = 20;
    public int K2 { get; set; } = 6;
    public float Lambda { get; set; } = 0.3f;
    /// <summary>Average query expansion (feature-based entry points).</summary>
    public bool QueryExpansion { get; set; }
    public int QueryExpansionTopK { get; set; } = 5;
    /// <summary>False-positive rates at which to report verification TPR; null = none.</summary>
    public double[]? RocFprs { get; set; }
}
