using System.Diagnostics;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.Benchmarks;

/// <summary>Evaluation (Market protocol: CMC, mAP, mINP) and k-reciprocal re-ranking (k1=20, k2=6, λ=0.3) on random
/// L2-normalised embeddings with 750 identities over 6 cameras. Args: [queries=1000] [gallery=5000] [dim=512].</summary>
internal sealed class RerankBenchmark : IBenchmark
{
    public string Name => "rerank";
    public string Description => "Evaluation and KReciprocalReranker.Rerank: 1000 queries × 5000 gallery × 512, cosine (args: Q G D [--streaming]; the issue asks 3000 15000 and 20000 20000 --streaming)";

    public int Run(string[] args, TextWriter output)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        int nq = positional.Length > 0 ? int.Parse(positional[0]) : 1000;
        int ng = positional.Length > 1 ? int.Parse(positional[1]) : 5000;
        int dim = positional.Length > 2 ? int.Parse(positional[2]) : 512;
        if (args.Contains("--streaming")) return Streaming(nq, ng, dim, output);
        var rng = new Random(2);
        float[] q = new float[(long)nq * dim], g = new float[(long)ng * dim];
        for (int i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
        DistanceMatrix.NormalizeRows(q, dim);
        DistanceMatrix.NormalizeRows(g, dim);

        var clock = Stopwatch.StartNew();
        float[] qg = DistanceMatrix.Compute(q, g, dim, DistanceMetric.Cosine);
        float[] qq = DistanceMatrix.Compute(q, q, dim, DistanceMetric.Cosine);
        float[] gg = DistanceMatrix.Compute(g, g, dim, DistanceMetric.Cosine);
        double distances = clock.Elapsed.TotalSeconds;

        int[] qIds = [.. Enumerable.Range(0, nq).Select(i => i % 750)], gIds = [.. Enumerable.Range(0, ng).Select(i => i % 750)];
        int[] qCams = [.. Enumerable.Range(0, nq).Select(i => i % 6)], gCams = [.. Enumerable.Range(0, ng).Select(i => (i / 750 + 1) % 6)];
        clock.Restart();
        var metrics = ReIdEvaluator.Evaluate(qg, nq, ng, qIds, gIds, qCams, gCams);
        double evaluate = clock.Elapsed.TotalSeconds;

        clock.Restart();
        float[] reranked = KReciprocalReranker.Rerank(qg, qq, gg, nq, ng);
        double rerank = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var rerankedMetrics = ReIdEvaluator.Evaluate(reranked, nq, ng, qIds, gIds, qCams, gCams);
        double evaluateReranked = clock.Elapsed.TotalSeconds;
        output.WriteLine($"rerank: {nq} queries × {ng} gallery × {dim}: distance matrices {distances:F2} s, evaluation {evaluate:F2} s " +
            $"({metrics.ValidQueries} valid queries), re-ranking {rerank:F2} s, evaluation of the re-ranked matrix {evaluateReranked:F2} s " +
            $"({rerankedMetrics.ValidQueries} valid), peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
        return 0;
    }

    /// <summary>Re-ranking from the features in bounded memory (no distance matrix held); each block of re-ranked rows is scored for
    /// rank-1 and dropped, as an evaluation that streams would do.</summary>
    private static int Streaming(int nq, int ng, int dim, TextWriter output)
    {
        var (q, g) = Features(nq, ng, dim);
        int[] qIds = [.. Enumerable.Range(0, nq).Select(i => i % 750)], gIds = [.. Enumerable.Range(0, ng).Select(i => i % 750)];
        long rank1 = 0;
        var clock = Stopwatch.StartNew();
        KReciprocalReranker.RerankFeatures(q, g, dim, DistanceMetric.Cosine, (q0, m, rows) =>
        {
            for (int i = 0; i < m; i++)
            {
                var row = rows.Slice(i * ng, ng);
                if (gIds[System.Numerics.Tensors.TensorPrimitives.IndexOfMin(row)] == qIds[q0 + i]) rank1++;
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"rerank --streaming: {nq} queries × {ng} gallery × {dim} (features {4.0 * (nq + ng) * dim / (1 << 20):F0} MiB): k-reciprocal re-ranking " +
            $"{seconds:F2} s, rank-1 after re-ranking {100.0 * rank1 / nq:F2} %, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB " +
            $"(a dense (q+g)² float32 matrix alone would be {4.0 * (nq + ng) * (nq + ng) / (1 << 30):F1} GiB)");
        return 0;
    }

    private static (float[] Q, float[] G) Features(int nq, int ng, int dim)
    {
        var rng = new Random(2);
        float[] q = new float[(long)nq * dim], g = new float[(long)ng * dim];
        for (int i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
        DistanceMatrix.NormalizeRows(q, dim);
        DistanceMatrix.NormalizeRows(g, dim);
        return (q, g);
    }
}
