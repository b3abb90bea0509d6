using ReId.MLNet.Visualization;

namespace ReId.MLNet.Tests.Visualization;

public class PrincipalComponentsTests
{
    [Fact]
    public void FourPointsOnTheAxesProjectOntoTheWideAxisFirst()
    {
        // Points (±2, 0) and (0, ±1) shifted by (5, 5): the first component is x (variance 2), the second y (0.5).
        float[] x = [7, 5, 3, 5, 5, 6, 5, 4];
        double[] p = PrincipalComponents.Project2D(x, rows: 4, dim: 2);
        double[] expected = [2, 0, -2, 0, 0, 1, 0, -1];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], p[i], 9);
    }

    [Fact]
    public void GramAndCovarianceRoutesGiveTheSameProjection()
    {
        var (x, rows, dim) = Random(rows: 9, dim: 6, seed: 3);
        double[] viaCovariance = PrincipalComponents.Project2D(x, rows, dim, useGram: false);
        double[] viaGram = PrincipalComponents.Project2D(x, rows, dim, useGram: true);
        for (int i = 0; i < viaGram.Length; i++) Assert.Equal(viaCovariance[i], viaGram[i], 6);
    }

    [Fact]
    public void TheFirstComponentHasTheLargestVarianceAndTheTwoAreUncorrelated()
    {
        var (x, rows, dim) = Random(rows: 120, dim: 5, seed: 11);
        double[] p = PrincipalComponents.Project2D(x, rows, dim);
        double[] p1 = [.. Enumerable.Range(0, rows).Select(i => p[2 * i])];
        double[] p2 = [.. Enumerable.Range(0, rows).Select(i => p[2 * i + 1])];
        Assert.Equal(0, p1.Average(), 9);
        Assert.Equal(0, p1.Zip(p2, (a, b) => a * b).Sum() / rows, 6);
        double v1 = p1.Sum(v => v * v), v2 = p2.Sum(v => v * v);
        Assert.True(v1 >= v2);

        // No direction spreads the data more than the first component (an independent check: random directions).
        var means = Enumerable.Range(0, dim).Select(j => Enumerable.Range(0, rows).Average(i => (double)x[i * dim + j])).ToArray();
        var rng = new Random(5);
        for (int t = 0; t < 300; t++)
        {
            double[] u = [.. Enumerable.Range(0, dim).Select(_ => rng.NextDouble() - 0.5)];
            double norm = Math.Sqrt(u.Sum(v => v * v));
            double spread = Enumerable.Range(0, rows).Sum(i =>
            {
                double d = 0;
                for (int j = 0; j < dim; j++) d += (x[i * dim + j] - means[j]) * u[j] / norm;
                return d * d;
            });
            Assert.True(spread <= v1 * (1 + 1e-9), $"direction {t} spreads {spread} > first component {v1}");
        }
    }

    private static (float[] X, int Rows, int Dim) Random(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        // Anisotropic: column j scaled by (j + 1), then mixed, so the components are neither axes nor equal.
        var x = new float[rows * dim];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < dim; j++)
                x[i * dim + j] = (float)((rng.NextDouble() - 0.5) * (j + 1) + 0.3 * (rng.NextDouble() - 0.5) * (i % 3));
        return (x, rows, dim);
    }
}
