using ReId.MLNet.Features;

namespace ReId.MLNet.Evaluation;

/// <summary>
/// Both clothes-changing protocols from one pair of feature sets, so a training run reports them side by side: cc-standard
/// (Market's rule) and cc-only (a query's same-clothes gallery images are ignored too, the figure that shows whether a model
/// looks past clothes).
/// </summary>
public static class ClothesChangingEvaluation
{
    /// <summary>Protocol names as <c>reid eval --protocol</c> spells them.</summary>
    public const string Standard = "cc-standard", ClothesChangeOnly = "cc-only";

    /// <summary>
    /// The metrics under each protocol, keyed by name; empty when either set lacks clothes ids. A protocol with no valid
    /// query (no identity seen in other clothes) is left out rather than failing the caller's run.
    /// </summary>
    public static IReadOnlyDictionary<string, ReIdMetrics> Evaluate(FeatureSet query, FeatureSet gallery, EvaluationOptions? template = null)
    {
        var result = new SortedDictionary<string, ReIdMetrics>(StringComparer.Ordinal);
        if (query.Clothes is null || gallery.Clothes is null) return result;
        foreach (var (name, protocol) in new[] { (Standard, EvaluationProtocol.ClothesChangingStandard), (ClothesChangeOnly, EvaluationProtocol.ClothesChangingOnly) })
        {
            var options = new EvaluationOptions
            {
                Protocol = protocol, MaxRank = template?.MaxRank ?? 50, Metric = template?.Metric ?? DistanceMetric.Cosine,
            };
            try
            {
                result[name] = FeatureEvaluation.Evaluate(query, gallery, options);
            }
            catch (InvalidOperationException)
            {
                // No query has a match under this protocol (e.g. nobody changes clothes between query and gallery).
            }
        }
        return result;
    }

    /// <summary>Adds "<c>{protocol}-map</c>" and "<c>{protocol}-rank1</c>" of each protocol to <paramref name="figures"/> (for metrics.csv).</summary>
    public static void AddFigures(IReadOnlyDictionary<string, ReIdMetrics> metrics, IDictionary<string, double> figures)
    {
        foreach (var (name, m) in metrics)
        {
            figures[name + "-map"] = m.MeanAveragePrecision;
            figures[name + "-rank1"] = m.Rank1;
        }
    }
}
