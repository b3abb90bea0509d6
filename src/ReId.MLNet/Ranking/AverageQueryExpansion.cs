using System.Numerics.Tensors;
using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Ranking;

/// <summary>α-weighted average query expansion as fast-reid applies it: every query and gallery feature is replaced by the mean of its
/// k nearest features in the joint set (itself included), each weighted by its cosine similarity to the power α, then renormalised.</summary>
public static class AverageQueryExpansion
{
    /// <summary>Returns expanded copies of the query and gallery features (row-major, <paramref name="dim"/> floats a row).</summary>
    public static (float[] Query, float[] Gallery) Expand(ReadOnlySpan<float> query, ReadOnlySpan<float> gallery, int dim, int topK = 5, float alpha = 3f, int times = 1)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), "topK must be at least 1");
        int nq = query.Length / dim;
        float[] all = [.. query, .. gallery];
        int n = all.Length / dim;
        int k = Math.Min(topK, n);
        for (int t = 0; t < times; t++)
        {
            float[] normalized = (float[])all.Clone();
            DistanceMatrix.NormalizeRows(normalized, dim);
            float[] next = new float[all.Length];
            Parallel.For(0, n, i =>
            {
                var qi = normalized.AsSpan(i * dim, dim);
                var sims = new float[n];
                for (int j = 0; j < n; j++) sims[j] = -TensorPrimitives.Dot(qi, normalized.AsSpan(j * dim, dim));
                int[] nearest = KReciprocalReranker.TopK(sims, k);
                var target = next.AsSpan(i * dim, dim);
                foreach (int j in nearest)
                {
                    float w = MathF.Pow(-sims[j], alpha);
                    TensorPrimitives.MultiplyAdd(all.AsSpan(j * dim, dim), w, target, target);
                }
                TensorPrimitives.Divide(target, k, target);
            });
            all = next;
        }
        DistanceMatrix.NormalizeRows(all, dim);
        return (all[..(nq * dim)], all[(nq * dim)..]);
    }
}
