namespace ReId.MLNet.Pipelines;

/// <summary>Distance used to rank gallery items.</summary>
public enum RankMetric
{
    /// <summary>1 − cosine similarity.</summary>
    Cosine,
    /// <summary>Plain (not squared) Euclidean distance.</summary>
    Euclidean,
}
