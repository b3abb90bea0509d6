using ReId.MLNet.Ranking;

namespace ReId.MLNet.Tests.Ranking;

public class AverageQueryExpansionTests
{
    [Fact]
    public void EachFeatureBecomesTheWeightedMeanOfItsNearestThenUnitLength()
    {
        // Query (1,0); gallery (0.6,0.8) and (0,1). With k=2 the query's neighbours are itself (sim 1) and (0.6,0.8) (sim 0.6):
        // 1·(1,0) + 0.6³·(0.6,0.8) = (1.1296, 0.1728), normalised.
        var (q, g) = AverageQueryExpansion.Expand([1f, 0f], [0.6f, 0.8f, 0f, 1f], 2, topK: 2, alpha: 3f);
        double nx = 1.1296, ny = 0.1728, norm = Math.Sqrt(nx * nx + ny * ny);
        Assert.Equal(nx / norm, q[0], 5);
        Assert.Equal(ny / norm, q[1], 5);
        Assert.Equal(4, g.Length);
        Assert.Equal(1.0, Math.Sqrt(g[2] * g[2] + g[3] * g[3]), 5);
    }
}
