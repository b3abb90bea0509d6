namespace ReId.Training.Losses;

/// <summary>Distance used to mine triplets.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean distance √(‖a‖² + ‖b‖² − 2a·b), clamped at 1e-12 before the root (torchreid).</summary>
    Euclidean,
    /// <summary>1 − cosine similarity of the L2-normalised features.</summary>
    Cosine,
}
