using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Features;

namespace ReId.MLNet.Evaluation;

/// <summary>The VehicleID protocol: the test list is split into one random gallery image per identity and queries, repeatedly
/// (seeded trials, as <see cref="VehicleIdDataset.SplitTrial"/> draws them), and CMC/mAP/mINP are averaged over the trials.</summary>
public static class VehicleIdEvaluation
{
    /// <summary>Averages the metrics of <paramref name="trials"/> splits of the embedded test images (rows of <paramref name="test"/>).</summary>
    public static ReIdMetrics Evaluate(FeatureSet test, int trials = 10, int seed = 0, EvaluationOptions? options = null)
    {
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), "at least one trial is needed");
        options ??= new EvaluationOptions();
        options.Protocol = EvaluationProtocol.VehicleId;
        var samples = Enumerable.Range(0, test.Rows)
            .Select(i => new ReIdSample(i.ToString(System.Globalization.CultureInfo.InvariantCulture), test.Identities[i], -1, DatasetSplit.Gallery)).ToList();
        var results = new List<ReIdMetrics>();
        for (int t = 0; t < trials; t++)
        {
            var (query, gallery) = VehicleIdDataset.SplitTrial(samples, t, seed);
            results.Add(FeatureEvaluation.Evaluate(Subset(test, query), Subset(test, gallery), options));
        }
        return Average(results);
    }

    /// <summary>
    /// Pools the rows of a query and a gallery feature set (query rows first) into one test set and averages the metrics of
    /// <paramref name="trials"/> splits of it, as <see cref="Evaluate(FeatureSet, int, int, EvaluationOptions?)"/>.
    /// </summary>
    public static ReIdMetrics Evaluate(FeatureSet query, FeatureSet gallery, int trials, int seed = 0, EvaluationOptions? options = null)
    {
        if (query.Dim != gallery.Dim) throw new ArgumentException($"query features have {query.Dim} dimensions but gallery features {gallery.Dim}");
        var all = new FeatureSet([.. query.Features, .. gallery.Features], query.Rows + gallery.Rows, query.Dim, [.. query.Paths, .. gallery.Paths],
            [.. query.Identities, .. gallery.Identities], [.. query.Cameras, .. gallery.Cameras]);
        return Evaluate(all, trials, seed, options);
    }

    /// <summary>The mean of several evaluations (CMC curves averaged point-wise).</summary>
    public static ReIdMetrics Average(IReadOnlyList<ReIdMetrics> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("nothing to average", nameof(runs));
        int length = runs.Min(r => r.Cmc.Length);
        var cmc = new float[length];
        for (int k = 0; k < length; k++) cmc[k] = runs.Average(r => r.Cmc[k]);
        return new ReIdMetrics
        {
            MeanAveragePrecision = runs.Average(r => r.MeanAveragePrecision),
            MeanInverseNegativePenalty = runs.Average(r => r.MeanInverseNegativePenalty),
            Cmc = cmc,
            ValidQueries = (int)Math.Round(runs.Average(r => r.ValidQueries)),
        };
    }

    private static FeatureSet Subset(FeatureSet all, List<ReIdSample> rows)
    {
        int[] index = [.. rows.Select(r => int.Parse(r.ImagePath, System.Globalization.CultureInfo.InvariantCulture))];
        var features = new float[index.Length * all.Dim];
        for (int i = 0; i < index.Length; i++) all.Row(index[i]).CopyTo(features.AsSpan(i * all.Dim, all.Dim));
        return new FeatureSet(features, index.Length, all.Dim, [.. index.Select(i => all.Paths[i])], [.. index.Select(i => all.Identities[i])],
            [.. index.Select(_ => -1)]);
    }
}
