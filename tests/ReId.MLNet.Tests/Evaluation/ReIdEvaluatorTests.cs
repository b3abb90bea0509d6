using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Tests.Evaluation;

public class ReIdEvaluatorTests
{
    [Fact]
    public void HandComputedMarketCase()
    {
        // One query (id 1, cam 1). Gallery sorted by distance: g0 id1 cam1 (ignored: same id and camera),
        // g1 id2, g2 id1 cam2 (match at kept rank 2), g3 junk -1 (ignored), g4 id3, g5 id1 cam3 (match at kept rank 4).
        float[] d = [0.1f, 0.2f, 0.3f, 0.35f, 0.4f, 0.5f];
        var m = ReIdEvaluator.Evaluate(d, 1, 6, [1], [1, 2, 1, -1, 3, 1], [1], [1, 2, 2, 2, 1, 3], options: new EvaluationOptions { MaxRank = 5 });
        // AP = (1/2 + 2/4) / 2 = 0.5; INP = 2 matches / hardest at rank 4 = 0.5; CMC = 0,1,1,1,1.
        Assert.Equal(0.5, m.MeanAveragePrecision, 9);
        Assert.Equal(0.5, m.MeanInverseNegativePenalty, 9);
        Assert.Equal([0f, 1f, 1f, 1f, 1f], m.Cmc);
        Assert.Equal(1, m.ValidQueries);
        Assert.Equal(0, m.Rank1);
        Assert.Equal(1, m.Rank5);
    }

    [Fact]
    public void QueriesWithoutAValidMatchAreSkipped()
    {
        // Query 0's only true match shares its camera: skipped. Query 1 matches at rank 1.
        float[] d = [0.1f, 0.9f, 0.9f, 0.1f];
        var m = ReIdEvaluator.Evaluate(d, 2, 2, [5, 6], [5, 6], [1, 1], [1, 2], options: new EvaluationOptions { MaxRank = 2 });
        Assert.Equal(1, m.ValidQueries);
        Assert.Equal(1.0, m.MeanAveragePrecision, 9);
    }

    [Fact]
    public void CmcIsPaddedWhenTheValidGalleryIsShorterThanMaxRank()
    {
        // Three gallery items, the match last: CMC must be 0,0,1 and then stay 1 up to rank 10 (torchreid's Cython kernel reuses a stale buffer here).
        float[] d = [0.1f, 0.2f, 0.3f];
        var m = ReIdEvaluator.Evaluate(d, 1, 3, [1], [2, 3, 1], [1], [2, 2, 2], options: new EvaluationOptions { MaxRank = 10 });
        Assert.Equal([0f, 0f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], m.Cmc);
        Assert.Equal(1.0 / 3, m.MeanAveragePrecision, 9);
    }

    [Fact]
    public void ClothesChangeOnlyIgnoresSameClothesMatches()
    {
        // Gallery: g0 same id, same clothes, other camera; g1 same id, other clothes; g2 other id.
        float[] d = [0.1f, 0.3f, 0.2f];
        int[] gIds = [1, 1, 2], gCams = [2, 3, 2];
        var standard = ReIdEvaluator.Evaluate(d, 1, 3, [1], gIds, [1], gCams, [7], [7, 8, 9], new EvaluationOptions { Protocol = EvaluationProtocol.ClothesChangingStandard, MaxRank = 3 });
        var changeOnly = ReIdEvaluator.Evaluate(d, 1, 3, [1], gIds, [1], gCams, [7], [7, 8, 9], new EvaluationOptions { Protocol = EvaluationProtocol.ClothesChangingOnly, MaxRank = 3 });
        Assert.Equal(1.0, standard.Rank1);
        Assert.Equal((1.0 + 2.0 / 3) / 2, standard.MeanAveragePrecision, 9);
        Assert.Equal(0.0, changeOnly.Rank1);
        Assert.Equal(0.5, changeOnly.MeanAveragePrecision, 9);
    }

    [Fact]
    public void VehicleIdIgnoresNothing()
    {
        float[] d = [0.1f, 0.2f];
        var m = ReIdEvaluator.Evaluate(d, 1, 2, [4], [4, 5], [-1], [-1, -1], options: new EvaluationOptions { Protocol = EvaluationProtocol.VehicleId, MaxRank = 2 });
        Assert.Equal(1.0, m.Rank1);
        Assert.Throws<InvalidOperationException>(() => ReIdEvaluator.Evaluate(d, 1, 2, [4], [4, 5], [-1], [-1, -1], options: new EvaluationOptions { MaxRank = 2 }));
    }

    [Fact]
    public void MatchesANaiveImplementationOnRandomData()
    {
        var rng = new Random(7);
        int nq = 30, ng = 80, maxRank = 20;
        var d = new float[nq * ng];
        for (int i = 0; i < d.Length; i++) d[i] = (float)rng.NextDouble();
        int[] qIds = [.. Enumerable.Range(0, nq).Select(_ => rng.Next(8))], gIds = [.. Enumerable.Range(0, ng).Select(_ => rng.Next(-1, 8))];
        int[] qCams = [.. Enumerable.Range(0, nq).Select(_ => rng.Next(3))], gCams = [.. Enumerable.Range(0, ng).Select(_ => rng.Next(3))];
        var m = ReIdEvaluator.Evaluate(d, nq, ng, qIds, gIds, qCams, gCams, options: new EvaluationOptions { MaxRank = maxRank });

        // Naive: per query, list valid gallery items sorted by distance, compute AP, INP and CMC directly.
        double sumAp = 0, sumInp = 0;
        var cmc = new double[maxRank];
        int valid = 0;
        for (int q = 0; q < nq; q++)
        {
            var ranked = Enumerable.Range(0, ng)
                .Where(g => gIds[g] != -1 && !(gIds[g] == qIds[q] && gCams[g] == qCams[q]))
                .OrderBy(g => d[q * ng + g]).Select(g => gIds[g] == qIds[q]).ToList();
            int total = ranked.Count(x => x);
            if (total == 0) continue;
            valid++;
            double ap = 0; int hits = 0, last = 0;
            for (int r = 0; r < ranked.Count; r++)
                if (ranked[r]) { hits++; ap += hits / (double)(r + 1); last = r + 1; }
            sumAp += ap / total;
            sumInp += total / (double)last;
            int first = ranked.IndexOf(true);
            for (int k = 0; k < maxRank; k++) if (first <= k) cmc[k]++;
        }
        Assert.Equal(valid, m.ValidQueries);
        Assert.Equal(sumAp / valid, m.MeanAveragePrecision, 6);
        Assert.Equal(sumInp / valid, m.MeanInverseNegativePenalty, 6);
        for (int k = 0; k < maxRank; k++) Assert.Equal(cmc[k] / valid, m.Cmc[k], 5);
        for (int k = 1; k < maxRank; k++) Assert.True(m.Cmc[k] >= m.Cmc[k - 1], "CMC is non-decreasing");
        Assert.InRange(m.MeanAveragePrecision, 0, 1);
    }

    [Fact]
    public void FeatureEntryPointGivesPerfectScoresForSeparatedIdentities()
    {
        // Two identities on orthogonal axes; gallery from other cameras.
        float[] q = [1, 0, 0, 1], g = [0.9f, 0.1f, 0.1f, 0.9f, 1, 0.05f];
        var m = ReIdEvaluator.Evaluate(q, g, 2, [1, 2], [1, 2, 1], [1, 1], [2, 2, 3], options: new EvaluationOptions { MaxRank = 3 });
        Assert.Equal(1.0, m.MeanAveragePrecision, 9);
        Assert.Equal(1.0, m.Rank1);
    }

    [Fact]
    public void RocReportsTprAtFixedFpr()
    {
        // Positive distances 0.1, 0.4; negatives 0.2, 0.3, 0.5, 0.6. At FPR 0 the threshold is the smallest negative (0.2): TPR 1/2.
        // At FPR 0.5 two negatives may pass, the threshold is 0.5: TPR 1.
        float[] d = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f];
        var m = ReIdEvaluator.Evaluate(d, 1, 6, [1], [1, 2, 3, 1, 4, 5], [0], [1, 1, 1, 1, 1, 1],
            options: new EvaluationOptions { MaxRank = 3, RocFprs = [0.0, 0.5] });
        Assert.Equal([0.5, 1.0], m.Tprs!);
    }

    [Fact]
    public void MismatchedSizesAreClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => ReIdEvaluator.Evaluate(new float[5], 2, 3, [1, 2], [1, 2, 3], [1, 1], [2, 2, 2]));
        Assert.Contains("expected 2 × 3", e.Message);
    }
}
