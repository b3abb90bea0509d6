using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ReId.MLNet.Ranking;

/// <summary>
/// The exact-search kernel that never writes a score matrix: an AVX-512 register-blocked dot-product micro-kernel (8 queries ×
/// 32 gallery rows, 16 accumulators kept in registers over the whole embedding) that compares its scores with each query's
/// current k-th best while they are still in registers. Only a block holding a score at least that good is stored (8 × 32
/// floats) and offered to the heap, which after the first few thousand rows of a gallery is almost never. A Gemm followed by a
/// top-k scan writes and re-reads every score: 800 MB for 2,000 queries × 100,000 rows, which is what kept the Gemm-based search
/// below the Gemm's own speed.
/// <para>
/// Both operands are packed so that the inner loop reads consecutive memory: a query group as [dim][8] (one float broadcast
/// per query and dimension) and a gallery panel as [dim][32] (two 16-float vectors per dimension), zero-padded at the edges.
/// The shape follows the usual register-blocking argument (as in BLIS or MLAS): 16 accumulators hide the FMA latency on
/// both one-512-bit-FMA-per-cycle cores (Zen 4) and two-per-cycle cores (Zen 5, Intel server cores), and 16 FMAs per 2 vector
/// loads and 8 broadcasts keep the loads off the critical path.
/// </para>
/// </summary>
internal static unsafe class FusedDotTopK
{
    /// <summary>Queries per micro-kernel call.</summary>
    public const int QueryRows = 8;
    /// <summary>Gallery rows per panel (two 16-float vectors).</summary>
    public const int PanelRows = 32;

    /// <summary>Whether this CPU runs the kernel (AVX-512F); otherwise the Gemm path is used.</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// Packs <paramref name="n"/> ≤ 32 row-major rows of <paramref name="dim"/> floats as panel[d·32 + j] = rows[j·dim + d];
    /// columns j ≥ n are zero.
    /// </summary>
    public static void PackPanel(ReadOnlySpan<float> rows, int n, int dim, Span<float> panel)
    {
        if (n < PanelRows) panel[..(dim * PanelRows)].Clear();
        for (int j = 0; j < n; j++)
        {
            var row = rows.Slice(j * dim, dim);
            for (int d = 0; d < row.Length; d++) panel[d * PanelRows + j] = row[d];
        }
    }

    /// <summary>Packs ≤ 8 query rows as group[d·8 + r] = queries[r·dim + d]; rows r ≥ n are zero.</summary>
    public static void PackQueries(ReadOnlySpan<float> queries, int n, int dim, Span<float> group)
    {
        if (n < QueryRows) group[..(dim * QueryRows)].Clear();
        for (int r = 0; r < n; r++)
        {
            var row = queries.Slice(r * dim, dim);
            for (int d = 0; d < row.Length; d++) group[d * QueryRows + r] = row[d];
        }
    }

    /// <summary>
    /// Scores 8 packed queries against one packed 32-row panel: score = q·g, or, with <paramref name="euclideanBias"/> (−‖g‖² of
    /// the panel's 32 rows), 2 q·g − ‖g‖². Returns a bit per query whose 32 scores hold one ≥ its threshold
    /// (<paramref name="thresholds"/>, 8 floats); exactly those queries' scores are written to <paramref name="scores"/>[r·32 …].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ScoreBlock(float* group, float* panel, int dim, float* thresholds, float* euclideanBias, float* scores)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int d = 0; d < dim; d++)
        {
            var b0 = Avx512F.LoadVector512(panel);
            var b1 = Avx512F.LoadVector512(panel + 16);
            var a = Vector512.Create(group[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(group[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(group[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(group[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(group[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(group[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(group[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, b0, c60); c61 = Avx512F.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(group[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, b0, c70); c71 = Avx512F.FusedMultiplyAdd(a, b1, c71);
            panel += PanelRows;
            group += QueryRows;
        }
        if (euclideanBias != null)
        {
            var two = Vector512.Create(2f);
            var n0 = Avx512F.LoadVector512(euclideanBias);
            var n1 = Avx512F.LoadVector512(euclideanBias + 16);
            c00 = Avx512F.FusedMultiplyAdd(c00, two, n0); c01 = Avx512F.FusedMultiplyAdd(c01, two, n1);
            c10 = Avx512F.FusedMultiplyAdd(c10, two, n0); c11 = Avx512F.FusedMultiplyAdd(c11, two, n1);
            c20 = Avx512F.FusedMultiplyAdd(c20, two, n0); c21 = Avx512F.FusedMultiplyAdd(c21, two, n1);
            c30 = Avx512F.FusedMultiplyAdd(c30, two, n0); c31 = Avx512F.FusedMultiplyAdd(c31, two, n1);
            c40 = Avx512F.FusedMultiplyAdd(c40, two, n0); c41 = Avx512F.FusedMultiplyAdd(c41, two, n1);
            c50 = Avx512F.FusedMultiplyAdd(c50, two, n0); c51 = Avx512F.FusedMultiplyAdd(c51, two, n1);
            c60 = Avx512F.FusedMultiplyAdd(c60, two, n0); c61 = Avx512F.FusedMultiplyAdd(c61, two, n1);
            c70 = Avx512F.FusedMultiplyAdd(c70, two, n0); c71 = Avx512F.FusedMultiplyAdd(c71, two, n1);
        }
        int hits = 0;
        hits |= Keep(c00, c01, thresholds[0], scores, 0);
        hits |= Keep(c10, c11, thresholds[1], scores, 1);
        hits |= Keep(c20, c21, thresholds[2], scores, 2);
        hits |= Keep(c30, c31, thresholds[3], scores, 3);
        hits |= Keep(c40, c41, thresholds[4], scores, 4);
        hits |= Keep(c50, c51, thresholds[5], scores, 5);
        hits |= Keep(c60, c61, thresholds[6], scores, 6);
        hits |= Keep(c70, c71, thresholds[7], scores, 7);
        return hits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Keep(Vector512<float> low, Vector512<float> high, float threshold, float* scores, int row)
    {
        var t = Vector512.Create(threshold);
        if (!Vector512.GreaterThanOrEqualAny(low, t) && !Vector512.GreaterThanOrEqualAny(high, t)) return 0;
        low.Store(scores + row * PanelRows);
        high.Store(scores + row * PanelRows + 16);
        return 1 << row;
    }
}
