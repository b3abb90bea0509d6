using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Ranking;

public unsafe class FusedDotTopKTests
{
    private const int Qr = FusedDotTopK.QueryRows, Pr = FusedDotTopK.PanelRows;

    [Fact]
    public void PackingTransposesAndZeroPadsTheMissingRows()
    {
        float[] rows = [1, 2, 3, 4, 5, 6]; // 3 rows of 2
        var panel = Enumerable.Repeat(9f, 2 * Pr).ToArray();
        FusedDotTopK.PackPanel(rows, 3, 2, panel);
        Assert.Equal([1f, 3, 5], panel[..3]);
        Assert.Equal([2f, 4, 6], panel[Pr..(Pr + 3)]);
        Assert.All(panel[3..Pr].Concat(panel[(Pr + 3)..]), v => Assert.Equal(0f, v));
        var group = Enumerable.Repeat(9f, 2 * Qr).ToArray();
        FusedDotTopK.PackQueries(rows.AsSpan(0, 4), 2, 2, group);
        float[] expected = [1f, 3, .. new float[Qr - 2], 2, 4, .. new float[Qr - 2]];
        Assert.Equal(expected, group);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScoresEqualDoublePrecisionDotsAndOnlyRowsReachingTheirThresholdAreReported(bool euclidean)
    {
        if (!FusedDotTopK.IsSupported) return; // the Gemm path is the one in use on such a CPU; GalleryIndexTests cover it
        var rng = new Random(11);
        const int dim = 45;
        float[] q = [.. Enumerable.Range(0, Qr * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] g = [.. Enumerable.Range(0, Pr * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] bias = [.. Enumerable.Range(0, Pr).Select(_ => (float)-rng.NextDouble())];
        // The independent calculation: each score as a double-precision sum over the row-major inputs.
        var expected = new double[Qr, Pr];
        for (int r = 0; r < Qr; r++)
            for (int j = 0; j < Pr; j++)
            {
                double dot = 0;
                for (int d = 0; d < dim; d++) dot += (double)q[r * dim + d] * g[j * dim + d];
                expected[r, j] = euclidean ? 2 * dot + bias[j] : dot;
            }
        // Thresholds: row 0 takes everything, row 1 nothing; rows 2 and 5 sit just below their best score, the other rows above it.
        var thresholds = new float[Qr];
        thresholds[0] = float.NegativeInfinity;
        thresholds[1] = float.PositiveInfinity;
        for (int r = 2; r < Qr; r++)
        {
            var sorted = Enumerable.Range(0, Pr).Select(j => expected[r, j]).Order().ToArray();
            thresholds[r] = r is 2 or 5 ? (float)sorted[^1] - 1e-5f : (float)sorted[^1] + 0.5f;
        }
        var group = new float[Qr * dim];
        var panel = new float[Pr * dim];
        FusedDotTopK.PackQueries(q, Qr, dim, group);
        FusedDotTopK.PackPanel(g, Pr, dim, panel);
        var scores = new float[Qr * Pr];
        int hits;
        fixed (float* gp = group, pp = panel, tp = thresholds, bp = bias, sp = scores)
            hits = FusedDotTopK.ScoreBlock(gp, pp, dim, tp, euclidean ? bp : null, sp);
        Assert.Equal(0b0010_0101, hits);
        foreach (int r in new[] { 0, 2, 5 })
            for (int j = 0; j < Pr; j++) Assert.Equal(expected[r, j], scores[r * Pr + j], 1e-4);
        Assert.All(scores.AsSpan(Pr, Pr).ToArray(), v => Assert.Equal(0f, v)); // row 1 was not written
    }
}
