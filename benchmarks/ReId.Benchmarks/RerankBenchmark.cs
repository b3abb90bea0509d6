using System.Diagnostics;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.Benchmarks;

/// <summary>k-reciprocal re-ranking (k1=20, k2=6, λ=0.3) on random L2-normalised embeddings.
/// Args: [queries=1000] [gallery=5000] [dim=512].</summary>
internal sealed class RerankBenchmark : IBenchmark
{
    public string Name => "rerank";
    public string Description => "KReciprocalReranker.Rerank: 1000 queries × 5000 gallery × 512, cosine (args: Q G D)";

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

        clock.Restart();
        float[] reranked = KReciprocalReranker.Rerank(qg, qq, gg, nq, ng);
        double rerank = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(reranked);
        output.WriteLine($"rerank: {nq} queries × {ng} gallery × {dim}: distance matrices {distances:F2} s, re-ranking {rerank:F2} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
        return 0;
    }
}
