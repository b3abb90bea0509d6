using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Tests.Evaluation;

public class VehicleIdEvaluationTests
{
    [Fact]
    public void AveragesTrialsAndEachTrialUsesOneGalleryImagePerIdentity()
    {
        // Identities 1..3 with three images each on well separated axes, plus one image of identity 3 that looks like identity 1.
        var f = new List<float>();
        var ids = new List<int>();
        void Add(int id, float x, float y) { f.AddRange([x, y, 0]); ids.Add(id); }
        Add(1, 1, 0); Add(1, 0.99f, 0.05f); Add(1, 0.98f, 0.1f);
        Add(2, 0, 1); Add(2, 0.05f, 0.99f); Add(2, 0.1f, 0.98f);
        Add(3, 0, 0.05f); Add(3, 0.05f, 0f); Add(3, 0.97f, 0.12f);
        for (int i = 6; i < 8; i++) { f[i * 3] = 0; f[i * 3 + 1] = 0; f[i * 3 + 2] = 1; }
        var set = new FeatureSet([.. f], 9, 3, [.. Enumerable.Range(0, 9).Select(i => $"{i}.jpg")], [.. ids], [.. Enumerable.Repeat(-1, 9)]);
        var averaged = VehicleIdEvaluation.Evaluate(set, trials: 5, seed: 1, new EvaluationOptions { MaxRank = 3 });
        Assert.Equal(6, averaged.ValidQueries); // 9 images − 3 gallery images

        // Independently: split each trial with the reader's SplitTrial, evaluate it, average by hand.
        var samples = Enumerable.Range(0, 9).Select(i => new ReIdSample($"{i}", ids[i], -1, DatasetSplit.Gallery)).ToList();
        double sum = 0;
        for (int t = 0; t < 5; t++)
        {
            var (q, g) = VehicleIdDataset.SplitTrial(samples, t, 1);
            Assert.Equal(3, g.Count);
            Assert.Equal([1, 2, 3], g.Select(x => x.Identity).Order());
            int[] qi = [.. q.Select(x => int.Parse(x.ImagePath))], gi = [.. g.Select(x => int.Parse(x.ImagePath))];
            float[] Rows(int[] idx) => [.. idx.SelectMany(i => set.Row(i).ToArray())];
            var m = ReIdEvaluator.Evaluate(Rows(qi), Rows(gi), 3, [.. qi.Select(i => ids[i])], [.. gi.Select(i => ids[i])],
                [.. qi.Select(_ => -1)], [.. gi.Select(_ => -1)], options: new EvaluationOptions { Protocol = EvaluationProtocol.VehicleId, MaxRank = 3 });
            sum += m.MeanAveragePrecision;
        }
        Assert.Equal(sum / 5, averaged.MeanAveragePrecision, 9);
    }

    [Fact]
    public void AverageIsThePointwiseMean()
    {
        var a = new ReIdMetrics { MeanAveragePrecision = 0.2, MeanInverseNegativePenalty = 0.1, Cmc = [0.5f, 1f], ValidQueries = 10 };
        var b = new ReIdMetrics { MeanAveragePrecision = 0.4, MeanInverseNegativePenalty = 0.3, Cmc = [0.7f, 0.9f], ValidQueries = 12 };
        var m = VehicleIdEvaluation.Average([a, b]);
        Assert.Equal(0.3, m.MeanAveragePrecision, 12);
        Assert.Equal(0.2, m.MeanInverseNegativePenalty, 12);
        Assert.Equal(0.6f, m.Cmc[0], 6);
        Assert.Equal(0.95f, m.Cmc[1], 6);
        Assert.Equal(11, m.ValidQueries);
    }
}
