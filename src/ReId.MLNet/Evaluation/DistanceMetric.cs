namespace ReId.MLNet.Evaluation;

/// <summary>How two embeddings are compared: the one distance enum of the project (evaluation, ranking, search, training losses).</summary>
public enum DistanceMetric
{
    /// <summary>1 − cosine similarity (rows are L2-normalised first).</summary>
    Cosine,
    /// <summary>Plain (not squared) Euclidean distance.</summary>
    Euclidean,
}
