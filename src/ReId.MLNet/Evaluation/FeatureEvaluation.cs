using ReId.MLNet.Features;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Evaluation;

/// <summary>
/// Evaluates query and gallery feature sets end to end: optional query expansion, distances, optional re-ranking, metrics.
/// A job that cannot fit in memory is refused before anything large is allocated (see <see cref="EvaluationMemory"/> for the bound).
/// </summary>
public static class FeatureEvaluation
{
    public static ReIdMetrics Evaluate(FeatureSet query, FeatureSet gallery, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        if (query.Dim != gallery.Dim) throw new ArgumentException($"query features have {query.Dim} dimensions but gallery features {gallery.Dim}");
        EvaluationMemory.EnsureFits(query.Rows, gallery.Rows, query.Dim, options);
        float[] q = query.Features, g = gallery.Features;
        if (options.QueryExpansion) (q, g) = AverageQueryExpansion.Expand(q, g, query.Dim, options.QueryExpansionTopK);
        float[] qg = DistanceMatrix.Compute(q, g, query.Dim, options.Metric);
        if (options.Rerank)
        {
            float[] qq = DistanceMatrix.Compute(q, q, query.Dim, options.Metric);
            float[] gg = DistanceMatrix.Compute(g, g, query.Dim, options.Metric);
            qg = KReciprocalReranker.Rerank(qg, qq, gg, query.Rows, gallery.Rows, options.K1, options.K2, options.Lambda);
        }
        return ReIdEvaluator.Evaluate(qg, query.Rows, gallery.Rows, query.Identities, gallery.Identities, query.Cameras, gallery.Cameras,
            query.Clothes, gallery.Clothes, options);
    }
}
