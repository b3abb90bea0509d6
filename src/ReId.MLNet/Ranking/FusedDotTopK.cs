using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ReId.MLNet.Ranking;

/// <summary>
/// The exact-search kernel that never writes a score matrix: an AVX-512 register-blocked dot-product micro-kernel (12 queries ×
/// 32 gallery rows, 24 accumulators kept in registers over the whole embedding) that compares its scores with each query's
/// current k-th best while they are still in registers. Only a block holding a score at least that good is stored (12 × 32
/// floats) and offered to the heap, which after the first few thousand rows of a gallery is almost never. A Gemm followed by a
/// top-k scan writes and re-reads every score: 800 MB for 2,000 queries × 100,000 rows, which is what kept the Gemm-based search
/// below the Gemm's own speed.
/// <para>
/// Both operands are packed so that the inner loop reads consecutive memory: a query group as [dim][12] (one float broadcast
/// per query and dimension) and a gallery panel as [dim][32] (two 16-float vectors per dimension), zero-padded at the edges.
/// The shape follows the usual register-blocking argument (as in BLIS or MLAS): 24 accumulators hide the FMA latency on
/// both one-512-bit-FMA-per-cycle cores (Zen 4) and two-per-cycle cores (Zen 5, Intel server cores), and 24 FMAs per 2 vector
/// loads and 12 broadcasts keep the loads off the critical path.
/// </para>
/// </summary>
internal static unsafe class FusedDotTopK
{
    /// <summary>Queries per micro-kernel call.</summary>
    public const int QueryRows = 12;
    /// <summary>Gallery rows per panel (two 16-float vectors).</summary>
    public const int PanelRows = 32;

    /// <summary>Whether this CPU runs the kernel (AVX-512F); otherwise the Gemm path is used.</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// Packs <paramref name="n"/> ≤ 32 row-major rows of <paramref name="dim"/> floats as panel[d·32 + j] = rows[j·dim + d];
    /// columns j ≥ n are zero.
    /// </summary>
    public static void PackPanel(ReadOnlySpan<float> rows, int n, int dim, Span<float> panel) => Interleave(rows, n, dim, PanelRows, panel);

    /// <summary>Packs ≤ 12 query rows as group[d·12 + r] = queries[r·dim + d]; rows r ≥ n are zero.</summary>
    public static void PackQueries(ReadOnlySpan<float> queries, int n, int dim, Span<float> group) => Interleave(queries, n, dim, QueryRows, group);

    /// <summary>target[d·width + r] = rows[r·dim + d] for the first <paramref name="n"/> of <paramref name="width"/> rows, zero beyond.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per chunk from the first search on: no tier-0 start
    private static void Interleave(ReadOnlySpan<float> rows, int n, int dim, int width, Span<float> target)
    {
        if (n < width) target[..(dim * width)].Clear();
        for (int r = 0; r < n; r++)
        {
            var row = rows.Slice(r * dim, dim);
            for (int d = 0; d < row.Length; d++) target[d * width + r] = row[d];
        }
    }

    /// <summary>
    /// Scores 12 packed queries against one packed 32-row panel: score = q·g, or, with <paramref name="euclideanBias"/> (−‖g‖² of
    /// the panel's 32 rows), 2 q·g − ‖g‖². Returns a bit per query whose 32 scores hold one ≥ its threshold
    /// (<paramref name="thresholds"/>, 12 floats); exactly those queries' scores are written to <paramref name="scores"/>[r·32 …].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ScoreBlock(float* group, float* panel, int dim, float* thresholds, float* euclideanBias, float* scores)
    {
        Vector512<float> c000 = default, c001 = default, c010 = default, c011 = default, c020 = default, c021 = default, c030 = default, c031 = default, c040 = default, c041 = default, c050 = default, c051 = default, c060 = default, c061 = default, c070 = default, c071 = default, c080 = default, c081 = default, c090 = default, c091 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int d = 0; d < dim; d++)
        {
            var b0 = Avx512F.LoadVector512(panel);
            var b1 = Avx512F.LoadVector512(panel + 16);
            Vector512<float> a;
            a = Vector512.Create(group[0]);
            c000 = Avx512F.FusedMultiplyAdd(a, b0, c000); c001 = Avx512F.FusedMultiplyAdd(a, b1, c001);
            a = Vector512.Create(group[1]);
            c010 = Avx512F.FusedMultiplyAdd(a, b0, c010); c011 = Avx512F.FusedMultiplyAdd(a, b1, c011);
            a = Vector512.Create(group[2]);
            c020 = Avx512F.FusedMultiplyAdd(a, b0, c020); c021 = Avx512F.FusedMultiplyAdd(a, b1, c021);
            a = Vector512.Create(group[3]);
            c030 = Avx512F.FusedMultiplyAdd(a, b0, c030); c031 = Avx512F.FusedMultiplyAdd(a, b1, c031);
            a = Vector512.Create(group[4]);
            c040 = Avx512F.FusedMultiplyAdd(a, b0, c040); c041 = Avx512F.FusedMultiplyAdd(a, b1, c041);
            a = Vector512.Create(group[5]);
            c050 = Avx512F.FusedMultiplyAdd(a, b0, c050); c051 = Avx512F.FusedMultiplyAdd(a, b1, c051);
            a = Vector512.Create(group[6]);
            c060 = Avx512F.FusedMultiplyAdd(a, b0, c060); c061 = Avx512F.FusedMultiplyAdd(a, b1, c061);
            a = Vector512.Create(group[7]);
            c070 = Avx512F.FusedMultiplyAdd(a, b0, c070); c071 = Avx512F.FusedMultiplyAdd(a, b1, c071);
            a = Vector512.Create(group[8]);
            c080 = Avx512F.FusedMultiplyAdd(a, b0, c080); c081 = Avx512F.FusedMultiplyAdd(a, b1, c081);
            a = Vector512.Create(group[9]);
            c090 = Avx512F.FusedMultiplyAdd(a, b0, c090); c091 = Avx512F.FusedMultiplyAdd(a, b1, c091);
            a = Vector512.Create(group[10]);
            c100 = Avx512F.FusedMultiplyAdd(a, b0, c100); c101 = Avx512F.FusedMultiplyAdd(a, b1, c101);
            a = Vector512.Create(group[11]);
            c110 = Avx512F.FusedMultiplyAdd(a, b0, c110); c111 = Avx512F.FusedMultiplyAdd(a, b1, c111);
            panel += PanelRows;
            group += QueryRows;
        }
        if (euclideanBias != null)
        {
            var two = Vector512.Create(2f);
            var n0 = Avx512F.LoadVector512(euclideanBias);
            var n1 = Avx512F.LoadVector512(euclideanBias + 16);
            c000 = Avx512F.FusedMultiplyAdd(c000, two, n0); c001 = Avx512F.FusedMultiplyAdd(c001, two, n1);
            c010 = Avx512F.FusedMultiplyAdd(c010, two, n0); c011 = Avx512F.FusedMultiplyAdd(c011, two, n1);
            c020 = Avx512F.FusedMultiplyAdd(c020, two, n0); c021 = Avx512F.FusedMultiplyAdd(c021, two, n1);
            c030 = Avx512F.FusedMultiplyAdd(c030, two, n0); c031 = Avx512F.FusedMultiplyAdd(c031, two, n1);
            c040 = Avx512F.FusedMultiplyAdd(c040, two, n0); c041 = Avx512F.FusedMultiplyAdd(c041, two, n1);
            c050 = Avx512F.FusedMultiplyAdd(c050, two, n0); c051 = Avx512F.FusedMultiplyAdd(c051, two, n1);
            c060 = Avx512F.FusedMultiplyAdd(c060, two, n0); c061 = Avx512F.FusedMultiplyAdd(c061, two, n1);
            c070 = Avx512F.FusedMultiplyAdd(c070, two, n0); c071 = Avx512F.FusedMultiplyAdd(c071, two, n1);
            c080 = Avx512F.FusedMultiplyAdd(c080, two, n0); c081 = Avx512F.FusedMultiplyAdd(c081, two, n1);
            c090 = Avx512F.FusedMultiplyAdd(c090, two, n0); c091 = Avx512F.FusedMultiplyAdd(c091, two, n1);
            c100 = Avx512F.FusedMultiplyAdd(c100, two, n0); c101 = Avx512F.FusedMultiplyAdd(c101, two, n1);
            c110 = Avx512F.FusedMultiplyAdd(c110, two, n0); c111 = Avx512F.FusedMultiplyAdd(c111, two, n1);
        }
        int hits = 0;
        hits |= Keep(c000, c001, thresholds[0], scores, 0);
        hits |= Keep(c010, c011, thresholds[1], scores, 1);
        hits |= Keep(c020, c021, thresholds[2], scores, 2);
        hits |= Keep(c030, c031, thresholds[3], scores, 3);
        hits |= Keep(c040, c041, thresholds[4], scores, 4);
        hits |= Keep(c050, c051, thresholds[5], scores, 5);
        hits |= Keep(c060, c061, thresholds[6], scores, 6);
        hits |= Keep(c070, c071, thresholds[7], scores, 7);
        hits |= Keep(c080, c081, thresholds[8], scores, 8);
        hits |= Keep(c090, c091, thresholds[9], scores, 9);
        hits |= Keep(c100, c101, thresholds[10], scores, 10);
        hits |= Keep(c110, c111, thresholds[11], scores, 11);
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
