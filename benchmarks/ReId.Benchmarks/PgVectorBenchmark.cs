using System.Diagnostics;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;
using ReId.Storage;

namespace ReId.Benchmarks;

/// <summary>
/// PostgreSQL + pgvector as the gallery (PgVectorGallery) beside the in-process GalleryIndex on the same random data: ingest rows/s,
/// one-query latency of exact search, HNSW build time, HNSW latency and recall@10 against exact. Needs a server: --db or REID_PG_CONNECTION.
/// Args: [rows=100000] [dim=512] [queries=20] [--db CS] [--ef-search 40,200] (a comma list).
/// </summary>
internal sealed class PgVectorBenchmark : IBenchmark
{
    public string Name => "pgvector";
    public string Description => "PgVectorGallery vs GalleryIndex: ingest rows/s, exact and HNSW query latency on 100,000 × 512 (args: N D Q [--db CS] [--ef-search E1,E2])";

    public int Run(string[] args, TextWriter output)
    {
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        int n = positional.Length > 0 ? int.Parse(positional[0]) : 100_000;
        int dim = positional.Length > 1 ? int.Parse(positional[1]) : 512;
        int nq = positional.Length > 2 ? int.Parse(positional[2]) : 20;
        const int k = 10;
        int di = Array.IndexOf(args, "--db"), ei = Array.IndexOf(args, "--ef-search");
        string? db = di >= 0 ? args[di + 1] : Environment.GetEnvironmentVariable("REID_PG_CONNECTION");
        int[] efs = ei >= 0 ? [.. args[ei + 1].Split(',').Select(int.Parse)] : [40, 200];
        if (string.IsNullOrEmpty(db))
        {
            output.WriteLine("pgvector: give a server with --db \"Host=…;Port=…;Username=…\" or REID_PG_CONNECTION (PGlite: see the README)");
            return 2;
        }
        var rng = new Random(1);
        float[] g = new float[(long)n * dim], q = new float[(long)nq * dim];
        for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() * 2 - 1);
        int[] ids = [.. Enumerable.Range(0, n)];

        using var index = new GalleryIndex(dim, DistanceMetric.Cosine);
        double memAdd = Seconds(() => { index.Add(g, ids); index.Search(q.AsSpan(0, dim), k); }); // the first search packs the rows
        var (memLatency, memExact) = PerQuery(q, nq, dim, i => index.Search(q.AsSpan(i * dim, dim), k));

        using var store = PgVectorGallery.Open(db, $"bench_{n}_{dim}_{Environment.ProcessId}", dim, DistanceMetric.Cosine);
        string server = store.Server;
        int step = Math.Max(1, n / 10);
        var ingest = Stopwatch.StartNew();
        for (int start = 0; start < n; start += step)
        {
            int count = Math.Min(step, n - start);
            store.Add(new GalleryRows(g[(start * dim)..((start + count) * dim)], new string?[count], ids[start..(start + count)], new int?[count]));
            output.WriteLine($"  ingested {start + count}/{n} rows, {(start + count) / ingest.Elapsed.TotalSeconds:F0} rows/s");
        }
        double pgAdd = ingest.Elapsed.TotalSeconds;
        var (pgLatency, pgExact) = PerQuery(q, nq, dim, i => store.Search(q.AsSpan(i * dim, dim), k));
        output.WriteLine($"pgvector benchmark: {n} × {dim} random rows, cosine, top-{k}, {nq} single-query searches each; server {server} ({store.ServerVersion})");
        output.WriteLine("| engine | ingest rows/s | exact query ms | exact = GalleryIndex |");
        output.WriteLine("|---|---|---|---|");
        output.WriteLine($"| GalleryIndex (in process, all cores) | {n / memAdd:F0} | {memLatency * 1e3:F1} | — |");
        output.WriteLine($"| PgVectorGallery ({(store.UsesCopy ? "binary COPY" : "INSERT")}) | {n / pgAdd:F0} | {pgLatency * 1e3:F1} | {(memExact.SequenceEqual(pgExact) ? "yes" : "no")} |");
        double build = Seconds(() => store.CreateHnswIndex());
        output.WriteLine($"HNSW index (m 16, ef_construction 64) built in {build:F1} s");
        output.WriteLine("| ef_search | HNSW query ms | recall@10 against exact |");
        output.WriteLine("|---|---|---|");
        foreach (int ef in efs)
        {
            var options = new PgVectorSearchOptions { Approximate = true, EfSearch = ef };
            var (hnswLatency, hnsw) = PerQuery(q, nq, dim, i => store.Search(q.AsSpan(i * dim, dim), k, options));
            output.WriteLine($"| {ef} | {hnswLatency * 1e3:F1} | {Recall(pgExact, hnsw, nq, k):F4} |");
        }
        return 0;
    }

    private static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Mean seconds per single-query search (after one warm-up) and every query's top-k indices.</summary>
    private static (double Seconds, int[] Indices) PerQuery(float[] q, int nq, int dim, Func<int, GallerySearchResult> search)
    {
        search(0);
        var all = new List<int>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < nq; i++) all.AddRange(search(i).Indices);
        return (clock.Elapsed.TotalSeconds / nq, [.. all]);
    }

    private static double Recall(int[] exact, int[] approximate, int nq, int k) => Enumerable.Range(0, nq)
        .Average(i => exact.AsSpan(i * k, k).ToArray().Intersect(approximate.AsSpan(i * k, k).ToArray()).Count() / (double)k);
}
