namespace ReId.MLNet.Ranking;

/// <summary>
/// k-reciprocal re-ranking (Zhong et al., CVPR 2017), step for step as the reference <c>re_ranking</c> that torchreid and fast-reid use:
/// the (q+g)² distance matrix is squared and each row divided by its maximum; k1-reciprocal neighbours are expanded with the
/// 2/3 rule over round(k1/2)-reciprocal sets of their members; weights exp(−d) are normalised per row; local query expansion
/// averages the k2 nearest rows; the Jaccard distance comes from an inverted index; the result is (1−λ)·Jaccard + λ·original.
/// </summary>
/// <remarks>
/// Memory: the reference keeps three dense (q+g)² matrices (distances, float64 argsort, V). Here only the distance matrix is
/// dense (float32, 4·(q+g)² bytes: 1.6 GB at q+g = 20,000); ranks keep the top max(k1+1, k2) entries per row and V is sparse
/// (about k1·1.5 non-zeros a row before expansion). Time is dominated by the per-row partial sorts, O((q+g)² log k1).
/// Ties in distance are broken by index (the reference's quicksort leaves them unspecified).
/// </remarks>
public static partial class KReciprocalReranker
{
    /// <summary>Re-ranks a query×gallery matrix given the query×query and gallery×gallery ones (all row-major); returns q×g.</summary>
    public static float[] Rerank(ReadOnlySpan<float> queryGallery, ReadOnlySpan<float> queryQuery, ReadOnlySpan<float> galleryGallery,
        int numQuery, int numGallery, int k1 = 20, int k2 = 6, float lambda = 0.3f)
    {
        if ((long)numQuery * numGallery != queryGallery.Length || (long)numQuery * numQuery != queryQuery.Length || (long)numGallery * numGallery != galleryGallery.Length)
            throw new ArgumentException($"distance matrices do not match {numQuery} queries and {numGallery} gallery items");
        if (k1 < 1 || k2 < 1) throw new ArgumentOutOfRangeException(nameof(k1), "k1 and k2 must be at least 1");
        if (lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), "lambda must lie in [0, 1]");
        int n = numQuery + numGallery;
        float[] dist = Assemble(queryGallery, queryQuery, galleryGallery, numQuery, numGallery);

        // Square, then divide each row by its maximum (the reference divides columns and transposes; the matrix is symmetric).
        Parallel.For(0, n, i =>
        {
            var row = dist.AsSpan(i * n, n);
            float max = 0;
            for (int j = 0; j < n; j++) { row[j] *= row[j]; if (row[j] > max) max = row[j]; }
            if (max > 0) for (int j = 0; j < n; j++) row[j] /= max;
        });

        int keep = Math.Min(n, Math.Max(k1 + 1, k2));
        int[][] rank = new int[n][];
        Parallel.For(0, n, i => rank[i] = TopK(dist.AsSpan(i * n, n), keep));

        var inverted = BuildInvertedV(rank, n, k1, k2, keep, (i, j) => dist[(long)i * n + j]);

        var result = new float[(long)numQuery * numGallery];
        Parallel.For(0, numQuery, () => new float[n], (i, _, tempMin) =>
        {
            FinalRow(i, numQuery, inverted, dist.AsSpan((int)((long)i * n + numQuery), numGallery), lambda, tempMin, result.AsSpan(i * numGallery, numGallery));
            return tempMin;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// From the rank lists: V (k-reciprocal sets expanded by the 2/3 rule, weights exp(−d) normalised per row), averaged over the k2
    /// nearest rows when k2 &gt; 1, returned as an inverted index (per column, the rows with a non-zero there and their value) plus
    /// the rows themselves. <paramref name="distance"/>(i, j) is the squared, row-max-normalised distance.
    /// </summary>
    private static VMatrix BuildInvertedV(int[][] rank, int n, int k1, int k2, int keep, Func<int, int, float> distance)
    {
        int half = (int)Math.Round(k1 / 2.0, MidpointRounding.ToEven);
        var v = new SparseRow[n];
        Parallel.For(0, n, i =>
        {
            int[] reciprocal = KReciprocal(rank, i, Math.Min(k1, keep - 1));
            var expansion = new HashSet<int>(reciprocal);
            var reciprocalSet = new HashSet<int>(reciprocal);
            foreach (int candidate in reciprocal)
            {
                int[] candidateSet = KReciprocal(rank, candidate, Math.Min(half, keep - 1));
                int common = candidateSet.Count(reciprocalSet.Contains);
                if (common > 2.0 / 3 * candidateSet.Length) expansion.UnionWith(candidateSet);
            }
            int[] idx = [.. expansion.Order()];
            var w = new float[idx.Length];
            double sum = 0;
            for (int t = 0; t < idx.Length; t++) { w[t] = MathF.Exp(-distance(i, idx[t])); sum += w[t]; }
            for (int t = 0; t < idx.Length; t++) w[t] = (float)(w[t] / sum);
            v[i] = new SparseRow(idx, w);
        });

        if (k2 != 1)
        {
            var qe = new SparseRow[n];
            Parallel.For(0, n, i => qe[i] = SparseRow.Mean(v, rank[i].AsSpan(0, Math.Min(k2, rank[i].Length)), n));
            v = qe;
        }

        // Inverted index: for each column, the rows with a non-zero there.
        var counts = new int[n];
        foreach (var row in v) foreach (int c in row.Index) counts[c]++;
        var inverted = new (int Row, float Value)[n][];
        for (int c = 0; c < n; c++) inverted[c] = new (int, float)[counts[c]];
        Array.Clear(counts);
        for (int r = 0; r < n; r++)
        {
            var row = v[r];
            for (int t = 0; t < row.Index.Length; t++) { int c = row.Index[t]; inverted[c][counts[c]++] = (r, row.Value[t]); }
        }
        return new VMatrix(v, inverted);
    }

    /// <summary>One re-ranked query row: (1−λ)·Jaccard + λ·original, given the query's normalised distances to the gallery.</summary>
    private static void FinalRow(int i, int numQuery, VMatrix v, ReadOnlySpan<float> originalToGallery, float lambda, float[] tempMin, Span<float> output)
    {
        Array.Clear(tempMin);
        var row = v.Rows[i];
        for (int t = 0; t < row.Index.Length; t++)
        {
            float vi = row.Value[t];
            foreach (var (r, value) in v.Inverted[row.Index[t]]) tempMin[r] += MathF.Min(vi, value);
        }
        for (int g = 0; g < output.Length; g++)
        {
            int j = numQuery + g;
            float jaccard = 1f - tempMin[j] / (2f - tempMin[j]);
            output[g] = jaccard * (1 - lambda) + originalToGallery[g] * lambda;
        }
    }

    /// <summary>The sparse V rows and their inverted index.</summary>
    private sealed record VMatrix(SparseRow[] Rows, (int Row, float Value)[][] Inverted);

    private static float[] Assemble(ReadOnlySpan<float> qg, ReadOnlySpan<float> qq, ReadOnlySpan<float> gg, int nq, int ng)
    {
        int n = nq + ng;
        var dist = new float[(long)n * n];
        for (int i = 0; i < nq; i++)
        {
            qq.Slice(i * nq, nq).CopyTo(dist.AsSpan(i * n, nq));
            qg.Slice(i * ng, ng).CopyTo(dist.AsSpan(i * n + nq, ng));
        }
        for (int g = 0; g < ng; g++)
        {
            var row = dist.AsSpan((nq + g) * n, n);
            for (int i = 0; i < nq; i++) row[i] = qg[i * ng + g];
            gg.Slice(g * ng, ng).CopyTo(row[nq..]);
        }
        return dist;
    }

    /// <summary>Indices of the k smallest values in ascending order (ties by index).</summary>
    internal static int[] TopK(ReadOnlySpan<float> row, int k)
    {
        // A bounded max-heap of (value, index) keeps memory at k entries per row.
        var heap = new PriorityQueue<int, (float, int)>(k + 1, Comparer<(float Value, int Index)>.Create((a, b) =>
        {
            int c = b.Value.CompareTo(a.Value);
            return c != 0 ? c : b.Index.CompareTo(a.Index);
        }));
        for (int j = 0; j < row.Length; j++)
        {
            if (heap.Count < k) heap.Enqueue(j, (row[j], j));
            else if (heap.TryPeek(out _, out var worst) && (row[j] < worst.Item1 || (row[j] == worst.Item1 && j < worst.Item2)))
                heap.EnqueueDequeue(j, (row[j], j));
        }
        var result = new int[heap.Count];
        for (int t = result.Length - 1; t >= 0; t--) result[t] = heap.Dequeue();
        return result;
    }

    /// <summary>The members of i's k+1 nearest whose own k+1 nearest contain i, in i's rank order.</summary>
    private static int[] KReciprocal(int[][] rank, int i, int k)
    {
        var forward = rank[i].AsSpan(0, Math.Min(k + 1, rank[i].Length));
        var list = new List<int>(forward.Length);
        foreach (int candidate in forward)
        {
            var backward = rank[candidate].AsSpan(0, Math.Min(k + 1, rank[candidate].Length));
            if (backward.Contains(i)) list.Add(candidate);
        }
        return [.. list];
    }

    /// <summary>A sparse row of V: sorted column indices and their weights.</summary>
    private readonly record struct SparseRow(int[] Index, float[] Value)
    {
        public static SparseRow Mean(SparseRow[] rows, ReadOnlySpan<int> members, int width)
        {
            var acc = new Dictionary<int, float>();
            foreach (int m in members)
            {
                var r = rows[m];
                for (int t = 0; t < r.Index.Length; t++)
                    acc[r.Index[t]] = acc.GetValueOrDefault(r.Index[t]) + r.Value[t];
            }
            int[] idx = [.. acc.Keys.Order()];
            var values = new float[idx.Length];
            for (int t = 0; t < idx.Length; t++) values[t] = acc[idx[t]] / members.Length;
            return new SparseRow(idx, values);
        }
    }
}
