using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Ranking;

public static partial class KReciprocalReranker
{
    /// <summary>
    /// k-reciprocal re-ranking from the embeddings themselves, in bounded memory: the (q+g)² distance matrix is never held. Rows of
    /// it are computed a block at a time (twice: once for the row maxima and rank lists, once for the query rows of the result),
    /// single entries on demand for the expansion weights, and each block of re-ranked query rows is handed to
    /// <paramref name="onRows"/> (first query, row count, rows × gallery values) and then reused. Memory is O((q+g)·(k1 + dim)) plus
    /// one block of <paramref name="rowBlock"/> × (q+g) floats; the steps and their float operations are those of
    /// <see cref="Rerank"/>, so given the same distances the result is the same.
    /// </summary>
    /// <param name="queries">Query embeddings, row-major, <paramref name="dim"/> floats a row.</param>
    /// <param name="gallery">Gallery embeddings, row-major.</param>
    public static void RerankFeatures(ReadOnlySpan<float> queries, ReadOnlySpan<float> gallery, int dim, DistanceMetric metric,
        Action<int, int, ReadOnlySpan<float>> onRows, int k1 = 20, int k2 = 6, float lambda = 0.3f, int rowBlock = 256)
    {
        ArgumentNullException.ThrowIfNull(onRows);
        if (dim < 1 || queries.Length % dim != 0 || gallery.Length % dim != 0)
            throw new ArgumentException($"feature arrays of {queries.Length} and {gallery.Length} floats are not whole rows of {dim}");
        if (k1 < 1 || k2 < 1) throw new ArgumentOutOfRangeException(nameof(k1), "k1 and k2 must be at least 1");
        if (lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), "lambda must lie in [0, 1]");
        int numQuery = queries.Length / dim, numGallery = gallery.Length / dim, n = numQuery + numGallery;
        if (numQuery == 0 || numGallery == 0) return;
        using var rows = new DistanceRows(queries, gallery, dim, metric);
        int block = Math.Clamp(rowBlock, 1, n);
        var buffer = new float[(long)block * n];

        // Pass 1: each row squared, its maximum kept, divided by it, and its nearest `keep` entries ranked.
        int keep = Math.Min(n, Math.Max(k1 + 1, k2));
        int[][] rank = new int[n][];
        var rowMax = new float[n];
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int m = Math.Min(block, n - r0);
            rows.Compute(r0, m, 0, n, buffer);
            Parallel.For(0, m, () => (new float[keep], new int[keep]), (b, _, heap) =>
            {
                var row = buffer.AsSpan(b * n, n);
                float max = 0;
                for (int j = 0; j < n; j++) { row[j] *= row[j]; if (row[j] > max) max = row[j]; }
                if (max > 0) for (int j = 0; j < n; j++) row[j] /= max;
                rowMax[r0 + b] = max;
                rank[r0 + b] = Nearest(row, heap.Item1, heap.Item2);
                return heap;
            }, _ => { });
        }

        var v = BuildInvertedV(rank, n, k1, k2, keep, (i, j) =>
        {
            float d = rows.At(i, j);
            d *= d;
            return rowMax[i] > 0 ? d / rowMax[i] : d;
        });

        // Pass 2: the query rows of the result, a block at a time.
        int gBlock = Math.Clamp(rowBlock, 1, numQuery);
        var output = new float[(long)gBlock * numGallery];
        for (int q0 = 0; q0 < numQuery; q0 += gBlock)
        {
            int m = Math.Min(gBlock, numQuery - q0);
            rows.Compute(q0, m, numQuery, numGallery, buffer);
            Parallel.For(0, m, () => new float[n], (b, _, tempMin) =>
            {
                var original = buffer.AsSpan(b * numGallery, numGallery);
                float max = rowMax[q0 + b];
                for (int j = 0; j < original.Length; j++) { original[j] *= original[j]; if (max > 0) original[j] /= max; }
                FinalRow(q0 + b, numQuery, v, original, lambda, tempMin, output.AsSpan(b * numGallery, numGallery));
                return tempMin;
            }, _ => { });
            onRows(q0, m, output.AsSpan(0, m * numGallery));
        }
    }

    /// <summary><see cref="RerankFeatures(ReadOnlySpan{float}, ReadOnlySpan{float}, int, DistanceMetric, Action{int, int, ReadOnlySpan{float}}, int, int, float, int)"/>
    /// collected into one q×g matrix (4·q·g bytes).</summary>
    public static float[] RerankFeatures(ReadOnlySpan<float> queries, ReadOnlySpan<float> gallery, int dim, DistanceMetric metric,
        int k1 = 20, int k2 = 6, float lambda = 0.3f)
    {
        int numGallery = dim > 0 ? gallery.Length / dim : 0;
        var result = new float[(long)(dim > 0 ? queries.Length / dim : 0) * numGallery];
        RerankFeatures(queries, gallery, dim, metric, (q0, m, block) => block.CopyTo(result.AsSpan(q0 * numGallery, m * numGallery)), k1, k2, lambda);
        return result;
    }

    /// <summary>The indices of the heap-sized smallest entries, ascending, ties by index (as <see cref="TopK"/>).</summary>
    private static int[] Nearest(Span<float> row, float[] heapScore, int[] heapIndex)
    {
        // The smallest values are the largest negated ones; negation is exact, so ties and order are unchanged.
        TensorPrimitives.Negate(row, row);
        int size = 0;
        TopKSelector.Offer(row, 0, heapScore, heapIndex, ref size);
        TopKSelector.SortDescending(heapScore, heapIndex, size);
        return heapIndex[..size];
    }

    /// <summary>
    /// Rows of the original (q+g)² distance matrix from the embeddings, with the float operations of <see cref="DistanceMatrix"/>:
    /// pairwise dot products for small blocks, ONNX Runtime's Gemm above the same size threshold.
    /// </summary>
    private sealed class DistanceRows : IDisposable
    {
        private const long GemmThreshold = 1L << 26;
        private readonly float[] _all;
        private readonly float[] _squares;
        private readonly int _dim, _count;
        private readonly DistanceMetric _metric;
        private InferenceSession? _session;

        public DistanceRows(ReadOnlySpan<float> queries, ReadOnlySpan<float> gallery, int dim, DistanceMetric metric)
        {
            _dim = dim;
            _metric = metric;
            _all = [.. queries, .. gallery];
            _count = _all.Length / dim;
            if (metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(_all, dim);
            _squares = new float[_count];
            for (int i = 0; i < _count; i++) _squares[i] = TensorPrimitives.Dot(Row(i), Row(i));
        }

        private ReadOnlySpan<float> Row(int i) => _all.AsSpan(i * _dim, _dim);

        /// <summary>Rows [r0, r0 + m) against columns [c0, c0 + width) into <paramref name="target"/> (m × width, row-major).</summary>
        public void Compute(int r0, int m, int c0, int width, float[] target)
        {
            if ((long)m * width * _dim >= GemmThreshold)
            {
                _session ??= DotProducts.CreateSession(_dim);
                var memory = OrtMemoryInfo.DefaultInstance;
                using var a = OrtValue.CreateTensorValueFromMemory(memory, _all.AsMemory(r0 * _dim, m * _dim), [m, _dim]);
                using var b = OrtValue.CreateTensorValueFromMemory(memory, _all.AsMemory(c0 * _dim, width * _dim), [width, _dim]);
                using var s = OrtValue.CreateTensorValueFromMemory(memory, target.AsMemory(0, m * width), [m, width]);
                _session.Run(null, ["a", "b"], [a, b], ["s"], [s]);
                Parallel.For(0, m, i =>
                {
                    var row = target.AsSpan(i * width, width);
                    if (_metric == DistanceMetric.Cosine)
                    {
                        TensorPrimitives.Negate(row, row);
                        TensorPrimitives.Add(row, 1f, row);
                        return;
                    }
                    TensorPrimitives.Multiply(row, -2f, row);
                    TensorPrimitives.Add(row, _squares.AsSpan(c0, width), row);
                    TensorPrimitives.Add(row, _squares[r0 + i], row);
                    TensorPrimitives.Max(row, 0f, row);
                    TensorPrimitives.Sqrt(row, row);
                });
                return;
            }
            Parallel.For(0, m, i =>
            {
                var row = target.AsSpan(i * width, width);
                for (int j = 0; j < width; j++) row[j] = At(r0 + i, c0 + j);
            });
        }

        /// <summary>One entry, as <see cref="DistanceMatrix"/>'s pairwise path computes it.</summary>
        public float At(int i, int j)
        {
            float dot = TensorPrimitives.Dot(Row(i), Row(j));
            return _metric == DistanceMetric.Cosine ? 1f - dot : MathF.Sqrt(MathF.Max(0f, _squares[i] + _squares[j] - 2f * dot));
        }

        public void Dispose() => _session?.Dispose();
    }
}
