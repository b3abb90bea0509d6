using ReId.MLNet.Features;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Evaluation;

/// <summary>
/// Evaluates query and gallery feature sets end to end: optional query expansion, distances, optional re-ranking, metrics.
/// A job that cannot fit in memory is refused before anything large is allocated (see <see cref="EvaluationMemory"/> for the bound).
/// </summary>
public static class FeatureEvaluation
{
    /// <summary>
    /// Evaluates a query and a gallery feature file (<c>.npy</c> with its <c>.csv</c> sidecar, see <see cref="FeatureFile"/>).
    /// With <paramref name="vehicleIdTrials"/> above 1 (VehicleID protocol only), query and gallery rows are pooled and the metrics
    /// averaged over that many seeded one-image-per-identity gallery draws (<see cref="VehicleIdEvaluation"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Different feature widths, a clothes-only protocol without clothes columns, or trials with another protocol.</exception>
    public static ReIdMetrics EvaluateFiles(string queryPath, string galleryPath, EvaluationOptions? options = null, int vehicleIdTrials = 1)
    {
        options ??= new EvaluationOptions();
        if (vehicleIdTrials < 1) throw new ArgumentOutOfRangeException(nameof(vehicleIdTrials), vehicleIdTrials, "at least one trial is needed");
        if (vehicleIdTrials > 1 && options.Protocol != EvaluationProtocol.VehicleId)
            throw new ArgumentException($"{vehicleIdTrials} trials need the VehicleID protocol (got {options.Protocol})", nameof(vehicleIdTrials));
        var q = FeatureFile.Read(queryPath);
        var g = FeatureFile.Read(galleryPath);
        if (q.Dim != g.Dim)
            throw new ArgumentException($"'{queryPath}' has {q.Dim}-dimensional features but '{galleryPath}' has {g.Dim}");
        if (options.Protocol == EvaluationProtocol.ClothesChangingOnly && (q.Clothes is null || g.Clothes is null))
            throw new ArgumentException($"the clothes-changing-only protocol needs a clothes column in both sidecar .csv files ('{FeatureFile.SidecarPath(queryPath)}', '{FeatureFile.SidecarPath(galleryPath)}')");
        return vehicleIdTrials > 1 ? VehicleIdEvaluation.Evaluate(q, g, vehicleIdTrials, seed: 0, options) : Evaluate(q, g, options);
    }

    /// <summary>Evaluates a query against a gallery feature set: optional query expansion, distances, optional re-ranking, metrics.</summary>
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
