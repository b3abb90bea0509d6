using System.CommandLine;
using System.Globalization;
using ReId.Cli.Infrastructure;
using ReId.Storage;

namespace ReId.Cli.Commands;

/// <summary>`reid search --db`: the gallery is a PostgreSQL + pgvector table (<see cref="GalleryFiles.SearchFile"/> does the work).</summary>
internal sealed partial class SearchCommand
{
    private readonly Option<string?> _db = new("--db") { Description = "Search a PostgreSQL + pgvector gallery (Npgsql connection string) instead of --gallery-features" };
    private readonly Option<string> _table = new("--table") { Description = "Gallery table with --db", DefaultValueFactory = _ => "reid_gallery" };
    private readonly Option<bool> _hnsw = new("--hnsw") { Description = "With --db: approximate search on the table's HNSW index (reid gallery add --hnsw)" };
    private readonly Option<int?> _efSearch = new("--ef-search") { Description = "With --hnsw: candidate list size (pgvector's hnsw.ef_search; default 40)" };

    private int SearchDatabase(ParseResult parse, CliContext ctx)
    {
        if (parse.GetValue(_galleryFeatures) is not null) throw new CliUsageException("--db and --gallery-features: give one gallery");
        foreach (var (option, given) in new (string, bool)[] { ("--storage", parse.GetResult(_storage) is { Implicit: false }), ("--gpu", parse.GetValue(_gpu) is not null),
            ("--rank-list", parse.GetValue(_rankList) is not null), ("--metric", parse.GetResult(_metric) is { Implicit: false }) })
            if (given) throw new CliUsageException($"{option} applies to --gallery-features only (a database gallery has its own metric and storage)");
        int topK = OptionValues.Positive(parse.GetValue(_topK), "--top-k");
        int? ef = parse.GetValue(_efSearch) is { } e ? OptionValues.Positive(e, "--ef-search") : null;
        string output = parse.GetValue(_out)!;
        if (!output.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new CliUsageException($"--out '{output}': expected a .npy file name");
        var s = GalleryAddCommand.StoreErrors(() => GalleryFiles.SearchFile(parse.GetValue(_db)!, parse.GetValue(_table)!, parse.GetValue(_queryFeatures)!,
            output, topK, parse.GetValue(_hnsw), ef));
        if (parse.GetValue(_json))
            ctx.WriteJson(new
            {
                queries = s.Queries, gallery = s.Gallery, dim = s.Dim, topK = s.TopK, metric = s.Metric, hnsw = parse.GetValue(_hnsw),
                indices = s.IndicesPath, distances = s.DistancesPath, readSeconds = s.ReadSeconds, searchSeconds = s.SearchSeconds, writeSeconds = s.WriteSeconds,
            });
        else
        {
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Queries} queries × {s.Gallery} rows of '{parse.GetValue(_table)}' × {s.Dim}, top-{s.TopK} {s.Metric} ({(parse.GetValue(_hnsw) ? "HNSW" : "exact")}): " +
                $"read {s.ReadSeconds:F2} s, search {s.SearchSeconds:F2} s, write {s.WriteSeconds:F2} s"));
            ctx.Out.WriteLine($"indices   {s.IndicesPath}");
            ctx.Out.WriteLine($"distances {s.DistancesPath}");
        }
        return 0;
    }
}
