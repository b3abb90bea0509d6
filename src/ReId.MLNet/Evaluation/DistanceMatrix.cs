using System.Numerics.Tensors;

namespace ReId.MLNet.Evaluation;

/// <summary>Query × gallery distance matrices (row-major float32).</summary>
public static class DistanceMatrix
{
    /// <summary>Distances between every query row and every gallery row of <paramref name="dim"/> floats.</summary>
    public static float[] Compute(ReadOnlySpan<float> query, ReadOnlySpan<float> gallery, int dim, DistanceMetric metric)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), "the embedding size must be positive");
        if (query.Length % dim != 0 || gallery.Length % dim != 0)
            throw new ArgumentException($"feature arrays of {query.Length} and {gallery.Length} floats are not whole rows of {dim}");
        Features.FiniteValues.ThrowIfNonFinite(query, dim, "query features");
        Features.FiniteValues.ThrowIfNonFinite(gallery, dim, "gallery features");
        float[] q = query.ToArray(), g = gallery.ToArray();
        int nq = q.Length / dim, ng = g.Length / dim;
        if (metric == DistanceMetric.Cosine)
        {
            NormalizeRows(q, dim);
            NormalizeRows(g, dim);
        }
        float[] qn = RowSquares(q, dim), gn = RowSquares(g, dim);
        var result = new float[(long)nq * ng];
        if ((long)nq * ng * dim >= GemmThreshold)
        {
            Ranking.DotProducts.Compute(q, nq, g, ng, dim, result);
            Parallel.For(0, nq, i => FromDots(result.AsSpan(i * ng, ng), qn[i], gn, metric));
            return result;
        }
        Parallel.For(0, nq, i =>
        {
            var qi = q.AsSpan(i * dim, dim);
            var row = result.AsSpan(i * ng, ng);
            for (int j = 0; j < ng; j++)
            {
                float dot = TensorPrimitives.Dot(qi, g.AsSpan(j * dim, dim));
                row[j] = metric == DistanceMetric.Cosine ? 1f - dot : MathF.Sqrt(MathF.Max(0f, qn[i] + gn[j] - 2f * dot));
            }
        });
        return result;
    }

    // Below this many multiply-adds the straightforward loop is as fast and keeps bit-identical results for identical rows.
    private const long GemmThreshold = 1L << 26;

    /// <summary>Turns a row of dot products into cosine (1 − dot) or Euclidean (√max(0, ‖q‖² + ‖g‖² − 2·dot)) distances in place.</summary>
    private static void FromDots(Span<float> row, float queryNorm, ReadOnlySpan<float> galleryNorms, DistanceMetric metric)
    {
        if (metric == DistanceMetric.Cosine)
        {
            TensorPrimitives.Negate(row, row);
            TensorPrimitives.Add(row, 1f, row);
            return;
        }
        TensorPrimitives.Multiply(row, -2f, row);
        TensorPrimitives.Add(row, galleryNorms, row);
        TensorPrimitives.Add(row, queryNorm, row);
        TensorPrimitives.Max(row, 0f, row);
        TensorPrimitives.Sqrt(row, row);
    }

    /// <summary>Scales every row to unit L2 norm in place (zero rows stay zero).</summary>
    public static void NormalizeRows(Span<float> rows, int dim)
    {
        for (int start = 0; start < rows.Length; start += dim)
        {
            var r = rows.Slice(start, dim);
            float norm = TensorPrimitives.Norm(r);
            if (norm > 0) TensorPrimitives.Divide(r, norm, r);
        }
    }

    private static float[] RowSquares(float[] rows, int dim)
    {
        var result = new float[rows.Length / dim];
        for (int i = 0; i < result.Length; i++)
        {
            var r = rows.AsSpan(i * dim, dim);
            result[i] = TensorPrimitives.Dot(r, r);
        }
        return result;
    }
}
