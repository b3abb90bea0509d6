using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Tests.Evaluation;

public sealed class DistanceMatrixTests
{
    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Euclidean)]
    public void LargeMatricesThroughGemmMatchADoublePrecisionComputation(DistanceMetric metric)
    {
        const int nq = 300, ng = 520, dim = 512; // above the size where the Gemm path takes over
        var rng = new Random(4);
        float[] q = [.. Enumerable.Range(0, nq * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] g = [.. Enumerable.Range(0, ng * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] d = DistanceMatrix.Compute(q, g, dim, metric);
        Assert.Equal(nq * ng, d.Length);
        foreach (var (i, j) in new[] { (0, 0), (299, 519), (17, 400), (256, 3), (511 % nq, 257) })
        {
            double dot = 0, qq = 0, gg = 0;
            for (int k = 0; k < dim; k++)
            {
                dot += (double)q[i * dim + k] * g[j * dim + k];
                qq += (double)q[i * dim + k] * q[i * dim + k];
                gg += (double)g[j * dim + k] * g[j * dim + k];
            }
            double expected = metric == DistanceMetric.Cosine ? 1 - dot / Math.Sqrt(qq * gg) : Math.Sqrt(qq + gg - 2 * dot);
            Assert.Equal(expected, d[i * ng + j], 3);
        }
    }
}
