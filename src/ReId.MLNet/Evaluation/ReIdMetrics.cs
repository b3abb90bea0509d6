namespace ReId.MLNet.Evaluation;

/// <summary>Retrieval quality of a ReID model: mAP, mINP and the CMC curve, all fractions in [0, 1].</summary>
public sealed class ReIdMetrics
{
    /// <summary>Mean average precision over valid queries.</summary>
    public double MeanAveragePrecision { get; init; }
    /// <summary>Mean inverse negative penalty (Ye et al. 2021): mean of (number of true matches) / (rank of the hardest true match).</summary>
    public double MeanInverseNegativePenalty { get; init; }
    /// <summary>CMC curve: Cmc[k-1] is the fraction of valid queries with a true match within the top k.</summary>
    public float[] Cmc { get; init; } = [];
    /// <summary>Queries that had at least one valid true match in the gallery (the others are skipped).</summary>
    public int ValidQueries { get; init; }
    /// <summary>Optional verification figures: true-positive rate at each false-positive rate of <see cref="Fprs"/>.</summary>
    public double[]? Tprs { get; init; }
    public double[]? Fprs { get; init; }

    public double Rank1 => At(1);
    public double Rank5 => At(5);
    public double Rank10 => At(10);

    /// <summary>CMC at rank k (1-based); the last value when the curve is shorter.</summary>
    public double At(int k) => Cmc.Length == 0 ? 0 : Cmc[Math.Min(k, Cmc.Length) - 1];

    public override string ToString() =>
        $"mAP {MeanAveragePrecision:P2}, rank-1 {Rank1:P2}, rank-5 {Rank5:P2}, rank-10 {Rank10:P2}, mINP {MeanInverseNegativePenalty:P2} ({ValidQueries} queries)";
}
