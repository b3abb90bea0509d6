using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Ranking;

public class KReciprocalRerankerTests
{
    /// <summary>The reference algorithm with dense matrices, written straight from its published steps (stable argsort).</summary>
    private static double[,] DenseReference(float[] qg, float[] qq, float[] gg, int nq, int ng, int k1, int k2, double lambda)
    {
        int n = nq + ng;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                d[i, j] = i < nq && j < nq ? qq[i * nq + j] : i < nq ? qg[i * ng + j - nq] : j < nq ? qg[j * ng + i - nq] : gg[(i - nq) * ng + j - nq];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) d[i, j] *= d[i, j];
        var colMax = new double[n];
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) colMax[j] = Math.Max(colMax[j], d[i, j]);
        var od = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) od[i, j] = d[j, i] / colMax[i]; // transpose(d / max(axis=0))
        var rank = new int[n][];
        for (int i = 0; i < n; i++) { int r = i; rank[i] = Enumerable.Range(0, n).OrderBy(j => (float)od[r, j]).ThenBy(j => j).ToArray(); }
        int[] Recip(int i, int k) => rank[i].Take(k + 1).Where(c => rank[c].Take(k + 1).Contains(i)).ToArray();
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var kr = Recip(i, k1);
            var exp = new List<int>(kr);
            foreach (int c in kr)
            {
                var ck = Recip(c, (int)Math.Round(k1 / 2.0, MidpointRounding.ToEven));
                if (ck.Intersect(kr).Count() > 2.0 / 3 * ck.Length) exp.AddRange(ck);
            }
            var u = exp.Distinct().ToArray();
            double s = u.Sum(j => Math.Exp(-(float)od[i, j]));
            foreach (int j in u) v[i, j] = Math.Exp(-(float)od[i, j]) / s;
        }
        if (k2 != 1)
        {
            var vqe = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) vqe[i, j] = rank[i].Take(k2).Average(r => v[r, j]);
            v = vqe;
        }
        var result = new double[nq, ng];
        for (int i = 0; i < nq; i++)
            for (int g = 0; g < ng; g++)
            {
                int j = nq + g;
                double min = 0;
                for (int c = 0; c < n; c++) if (v[i, c] != 0 && v[j, c] != 0) min += Math.Min(v[i, c], v[j, c]);
                double jac = 1 - min / (2 - min);
                result[i, g] = jac * (1 - lambda) + (float)od[i, j] * lambda;
            }
        return result;
    }

    [Theory]
    [InlineData(12, 30, 20, 6, 0.3f, 1)]
    [InlineData(8, 25, 5, 3, 0.5f, 2)]
    [InlineData(10, 20, 4, 1, 0.1f, 3)]
    public void MatchesADenseReferenceImplementation(int nq, int ng, int k1, int k2, float lambda, int seed)
    {
        var rng = new Random(seed);
        int dim = 6;
        // Clustered features so that reciprocal neighbourhoods are non-trivial.
        var centers = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        float[] Feats(int n) => [.. Enumerable.Range(0, n).SelectMany(i => centers[rng.Next(5)].Select(c => c + 0.2f * (float)rng.NextDouble()))];
        float[] q = Feats(nq), g = Feats(ng);
        float[] qg = DistanceMatrix.Compute(q, g, dim, DistanceMetric.Euclidean);
        float[] qq = DistanceMatrix.Compute(q, q, dim, DistanceMetric.Euclidean);
        float[] gg = DistanceMatrix.Compute(g, g, dim, DistanceMetric.Euclidean);
        var expected = DenseReference(qg, qq, gg, nq, ng, k1, k2, lambda);
        var actual = KReciprocalReranker.Rerank(qg, qq, gg, nq, ng, k1, k2, lambda);
        for (int i = 0; i < nq; i++)
            for (int j = 0; j < ng; j++)
                Assert.Equal(expected[i, j], actual[i * ng + j], 1e-5);
    }

    [Theory]
    [InlineData(12, 30, 20, 6, 0.3f, 1, DistanceMetric.Euclidean, 5)]
    [InlineData(8, 25, 5, 3, 0.5f, 2, DistanceMetric.Cosine, 256)]
    [InlineData(10, 20, 4, 1, 0.1f, 3, DistanceMetric.Euclidean, 3)]
    public void StreamingFromFeaturesMatchesTheDenseReference(int nq, int ng, int k1, int k2, float lambda, int seed, DistanceMetric metric, int rowBlock)
    {
        var rng = new Random(seed);
        int dim = 6;
        var centers = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        float[] Feats(int n) => [.. Enumerable.Range(0, n).SelectMany(i => centers[rng.Next(5)].Select(c => c + 0.2f * (float)rng.NextDouble()))];
        float[] q = Feats(nq), g = Feats(ng);
        var expected = DenseReference(DistanceMatrix.Compute(q, g, dim, metric), DistanceMatrix.Compute(q, q, dim, metric),
            DistanceMatrix.Compute(g, g, dim, metric), nq, ng, k1, k2, lambda);
        var actual = new float[nq * ng];
        var seen = new bool[nq];
        KReciprocalReranker.RerankFeatures(q, g, dim, metric, (q0, m, rows) =>
        {
            Assert.Equal(m * ng, rows.Length);
            rows.CopyTo(actual.AsSpan(q0 * ng));
            for (int i = q0; i < q0 + m; i++) { Assert.False(seen[i]); seen[i] = true; }
        }, k1, k2, lambda, rowBlock);
        Assert.All(seen, Assert.True);
        for (int i = 0; i < nq; i++)
            for (int j = 0; j < ng; j++)
                Assert.Equal(expected[i, j], actual[i * ng + j], 1e-5);
        Assert.Equal(actual, KReciprocalReranker.RerankFeatures(q, g, dim, metric, k1, k2, lambda));
    }

    [Fact]
    public void TopKReturnsTheSmallestInOrderWithTiesByIndex()
    {
        Assert.Equal([3, 1, 4], KReciprocalReranker.TopK([0.5f, 0.2f, 0.9f, 0.1f, 0.2f, 0.7f], 3));
    }

    [Fact]
    public void WellSeparatedIdentitiesStayPerfectlyRanked()
    {
        // Three tight clusters far apart, two queries each: re-ranking must not break a perfect ranking.
        var rng = new Random(5);
        int dim = 2;
        float[][] centers = [[0f, 0f], [10f, 0f], [0f, 10f]];
        float[] Jitter(int c) => [centers[c][0] + 0.1f * (float)rng.NextDouble(), centers[c][1] + 0.1f * (float)rng.NextDouble()];
        float[] q = [.. Enumerable.Range(0, 6).SelectMany(i => Jitter(i % 3))];
        float[] g = [.. Enumerable.Range(0, 15).SelectMany(i => Jitter(i % 3))];
        int[] qIds = [.. Enumerable.Range(0, 6).Select(i => i % 3)], gIds = [.. Enumerable.Range(0, 15).Select(i => i % 3)];
        var m = FeatureEvaluation.Evaluate(new(q, 6, dim, [.. Enumerable.Repeat("q", 6)], qIds, [.. Enumerable.Repeat(1, 6)]),
            new(g, 15, dim, [.. Enumerable.Repeat("g", 15)], gIds, [.. Enumerable.Repeat(2, 15)]),
            new EvaluationOptions { Metric = DistanceMetric.Euclidean, MaxRank = 5, Rerank = true, K1 = 6, K2 = 3 });
        Assert.Equal(1.0, m.MeanAveragePrecision, 9);
        Assert.Equal(6, m.ValidQueries);
    }
}
