namespace ReId.MLNet.Evaluation;

/// <summary>How query and gallery embeddings are compared.</summary>
public enum DistanceMetric
{
    /// <summary>1 − cosine similarity (rows are L2-normalised first).</summary>
    Cosine,
    /// <summary>Euclidean distance.</summary>
    Euclidean,
}
