using System.Diagnostics;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.Benchmarks;

/// <summary>Evaluation (Market protocol: CMC, mAP, mINP) and k-reciprocal re-ranking (k1=20, k2=6, λ=0.3) on random
/// L2-normalised embeddings with 750 identities over 6 cameras. Args: [queries=1000] [gallery=5000] [dim=512].</summary>
internal sealed class RerankBenchmark : IBenchmark
{
    public string Name => "rerank";
    public string Description => "Evaluation and KReciprocalReranker.Rerank: 1000 queries × 5000 gallery × 512, cosine (args: Q G D; the issue asks 3000 15000)";

    public int Run(string[] args, TextWriter output)
    {
        int nq = args.Length > 0 ? int.Parse(args[0]) : 1000;
        int ng = args.Length > 1 ? int.Parse(args[1]) : 5000;
        int dim = args.Length > 2 ? int.Parse(args[2]) : 512;
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
}
