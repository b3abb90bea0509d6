using ReId.Training.Utils;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>Pairwise distance matrices of feature batches.</summary>
public static class PairwiseDistance
{
    /// <summary>[N, M] distances between the rows of <paramref name="x"/> [N, D] and <paramref name="y"/> [M, D].</summary>
    public static Tensor Compute(Tensor x, Tensor y, DistanceMetric metric)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (metric == DistanceMetric.Cosine)
        {
            var xn = nn.functional.normalize(x, p: 2, dim: 1);
            var yn = nn.functional.normalize(y, p: 2, dim: 1);
            result = xn.matmul(yn.t()).SubtractFrom(1);
        }
        else
        {
            var xx = x.Pow(2).sum(1, keepdim: true);
            var yy = y.Pow(2).sum(1, keepdim: true).t();
            result = (xx.Add(yy) - x.matmul(y.t()).Mul(2)).ClampMin(1e-12).sqrt();
        }

        return result.MoveToOuterDisposeScope();
    }
}
