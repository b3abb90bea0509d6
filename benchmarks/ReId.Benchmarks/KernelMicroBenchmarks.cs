using BenchmarkDotNet.Attributes;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the hot kernels: a distance block (Gemm + cosine), top-k selection over a score row,
/// one fused score block, a whole GalleryIndex search with either kernel, and the re-ranking steps at a small size. Run: <c>-- micro [BenchmarkDotNet args]</c>.
/// </summary>
[MemoryDiagnoser]
public class KernelMicroBenchmarks
{
    private const int Dim = 512;
    private float[] _queries = [], _gallery = [], _row = [], _scratch = [];
    private float[] _heapScore = [];
    private int[] _heapIndex = [];
    private GalleryIndex? _index, _gemmIndex;
    private float[] _group = [], _panel = [], _thresholds = [], _blockScores = [];
    private float[] _rerankQ = [], _rerankG = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] Random(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        _queries = Random(256 * Dim);
        _gallery = Random(8192 * Dim);
        _row = Random(100_000);
        _scratch = new float[_row.Length];
        _heapScore = new float[50];
        _heapIndex = new int[50];
        _index = new GalleryIndex(Dim);
        _index.Add(_gallery, [.. Enumerable.Range(0, 8192)]);
        _index.Search(_queries.AsSpan(0, Dim), 50);
        _gemmIndex = new GalleryIndex(Dim) { Kernel = GallerySearchKernel.Gemm };
        _gemmIndex.Add(_gallery, [.. Enumerable.Range(0, 8192)]);
        _gemmIndex.Search(_queries.AsSpan(0, Dim), 50);
        _group = new float[FusedDotTopK.QueryRows * Dim];
        _panel = new float[FusedDotTopK.PanelRows * Dim];
        FusedDotTopK.PackQueries(_queries, FusedDotTopK.QueryRows, Dim, _group);
        FusedDotTopK.PackPanel(_gallery, FusedDotTopK.PanelRows, Dim, _panel);
        _thresholds = [.. Enumerable.Repeat(float.PositiveInfinity, FusedDotTopK.QueryRows)];
        _blockScores = new float[FusedDotTopK.QueryRows * FusedDotTopK.PanelRows];
        _rerankQ = Random(300 * 64);
        _rerankG = Random(1500 * 64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index?.Dispose();
        _gemmIndex?.Dispose();
    }

    /// <summary>256 × 8192 × 512 cosine distance block (Gemm through ONNX Runtime, then 1 − dot).</summary>
    [Benchmark]
    public float[] DistanceBlock() => DistanceMatrix.Compute(_queries, _gallery, Dim, DistanceMetric.Cosine);

    /// <summary>Top-50 of a 100,000-entry score row: SIMD threshold scan + bounded heap.</summary>
    [Benchmark]
    public int TopKOfARow()
    {
        _row.CopyTo(_scratch, 0);
        int size = 0;
        TopKSelector.Offer(_scratch, 0, _heapScore, _heapIndex, ref size);
        TopKSelector.SortDescending(_heapScore, _heapIndex, size);
        return _heapIndex[0];
    }

    /// <summary>GalleryIndex.Search: 256 queries × 8192 × 512, top-50, with the default kernel (fused where the CPU has AVX-512).</summary>
    [Benchmark]
    public int GallerySearch() => _index!.Search(_queries, 50).Indices[0];

    /// <summary>The same search through the Gemm kernel (ONNX Runtime tiles, then a SIMD top-k scan of each tile).</summary>
    [Benchmark]
    public int GallerySearchGemmKernel() => _gemmIndex!.Search(_queries, 50).Indices[0];

    /// <summary>One fused 12 × 32 × 512 block (196,608 multiply-adds) with no score reaching its threshold: the search's inner step.</summary>
    [Benchmark]
    public unsafe int FusedScoreBlock()
    {
        if (!FusedDotTopK.IsSupported) return -1;
        fixed (float* g = _group, p = _panel, t = _thresholds, s = _blockScores)
            return FusedDotTopK.ScoreBlock(g, p, Dim, t, null, s);
    }

    /// <summary>k-reciprocal re-ranking from features, 300 × 1500 × 64 (rank lists, V, query expansion, Jaccard).</summary>
    [Benchmark]
    public float RerankFromFeatures() => KReciprocalReranker.RerankFeatures(_rerankQ, _rerankG, 64, DistanceMetric.Cosine)[0];

    /// <summary>The dense re-ranking entry point on the same data (distance matrices given).</summary>
    [Benchmark]
    public float RerankDense()
    {
        var qg = DistanceMatrix.Compute(_rerankQ, _rerankG, 64, DistanceMetric.Cosine);
        var qq = DistanceMatrix.Compute(_rerankQ, _rerankQ, 64, DistanceMetric.Cosine);
        var gg = DistanceMatrix.Compute(_rerankG, _rerankG, 64, DistanceMetric.Cosine);
        return KReciprocalReranker.Rerank(qg, qq, gg, 300, 1500)[0];
    }
}
