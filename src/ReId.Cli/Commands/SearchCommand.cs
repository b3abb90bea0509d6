using System.CommandLine;
using System.Globalization;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Ranking;

namespace ReId.Cli.Commands;

/// <summary>`reid search`: exact top-k gallery rows of every query feature (thin: <see cref="FeatureSearch.SearchFiles"/> does the work).</summary>
internal sealed partial class SearchCommand : ICliCommand
{
    public string[] Path => ["search"];
    public string Description => "Exact top-k search: --query-features Q.npy --gallery-features G.npy --top-k K --out IDX.npy (writes IDX.npy int64 and IDX.distances.npy float32); --db \"Host=…\" --table T searches a PostgreSQL + pgvector gallery instead.";

    private readonly Option<string> _queryFeatures = new("--query-features") { Description = "Query features, float32 .npy [Nq, D]", Required = true };
    private readonly Option<string?> _galleryFeatures = new("--gallery-features") { Description = "Gallery features, float32 .npy [Ng, D] (or --db)" };
    private readonly Option<int> _topK = new("--top-k") { Description = "Gallery rows per query", DefaultValueFactory = _ => 10 };
    private readonly Option<string> _metric = new("--metric") { Description = "cosine or euclidean", DefaultValueFactory = _ => "cosine" };
    private readonly Option<string> _out = new("--out") { Description = "Indices file (.npy, int64 [Nq, K], best first); distances go to <name>.distances.npy", Required = true };
    private readonly Option<string> _storage = new("--storage") { Description = "Gallery storage: float32 (exact), float16 or int8", DefaultValueFactory = _ => "float32" };
    private readonly Option<int?> _threads = new("--threads") { Description = "Worker threads (default: every core)" };
    private readonly Option<int?> _gpu = new("--gpu") { Description = "CUDA device id for the similarity Gemm (GPU build; an absent device is an error)" };
    private readonly Option<string?> _rankList = new("--rank-list") { Description = "Draw the first queries and their top-k to this PNG (needs the sidecar CSVs naming image files)" };
    private readonly Option<int> _rankListQueries = new("--rank-list-queries") { Description = "Queries drawn in the rank list", DefaultValueFactory = _ => 8 };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object" };

    public void Configure(Command command, CliContext ctx)
    {
        foreach (var o in new Option[] { _queryFeatures, _galleryFeatures, _topK, _metric, _out, _storage, _threads, _gpu, _rankList, _rankListQueries, _json, _db, _table, _hnsw, _efSearch })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (parse.GetValue(_db) is not null) return SearchDatabase(parse, ctx);
            if (parse.GetValue(_galleryFeatures) is null) throw new CliUsageException("expected --gallery-features G.npy, or --db and --table for a database gallery");
            var options = new FeatureSearchOptions
            {
                TopK = OptionValues.Positive(parse.GetValue(_topK), "--top-k"),
                Metric = OptionValues.Choice<DistanceMetric>(parse.GetValue(_metric)!, "--metric"),
                Storage = OptionValues.Choice<GalleryStorage>(parse.GetValue(_storage)!, "--storage"),
                Threads = parse.GetValue(_threads) is { } t ? OptionValues.Positive(t, "--threads") : null,
                GpuDeviceId = parse.GetValue(_gpu),
                RankListPath = parse.GetValue(_rankList),
                RankListQueries = OptionValues.Positive(parse.GetValue(_rankListQueries), "--rank-list-queries"),
            };
            string output = parse.GetValue(_out)!;
            if (!output.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new CliUsageException($"--out '{output}': expected a .npy file name");
            FeatureSearchSummary summary;
            try
            {
                summary = FeatureSearch.SearchFiles(parse.GetValue(_queryFeatures)!, parse.GetValue(_galleryFeatures)!, output, options);
            }
            catch (InvalidOperationException e) when (options.GpuDeviceId is { } device && e.Message.Contains("CUDA", StringComparison.Ordinal))
            {
                throw new CliUsageException($"--gpu {device}: {e.Message}");
            }
            if (parse.GetValue(_json))
            {
                ctx.WriteJson(new
                {
                    queries = summary.Queries, gallery = summary.Gallery, dim = summary.Dim, topK = summary.TopK, metric = summary.Metric,
                    indices = summary.IndicesPath, distances = summary.DistancesPath, rankList = summary.RankListPath,
                    readSeconds = summary.ReadSeconds, searchSeconds = summary.SearchSeconds, writeSeconds = summary.WriteSeconds,
                });
            }
            else
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{summary.Queries} queries × {summary.Gallery} gallery × {summary.Dim}, top-{summary.TopK} {summary.Metric}: " +
                    $"read {summary.ReadSeconds:F2} s, search {summary.SearchSeconds:F2} s, write {summary.WriteSeconds:F2} s"));
                ctx.Out.WriteLine($"indices   {summary.IndicesPath}");
                ctx.Out.WriteLine($"distances {summary.DistancesPath}");
                if (summary.RankListPath is { } png) ctx.Out.WriteLine($"rank list {png}");
            }
            return 0;
        });
    }
}
