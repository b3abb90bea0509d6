using System.CommandLine;
using System.Globalization;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;
using ReId.Storage;

namespace ReId.Cli.Commands;

/// <summary>`reid gallery add`: a feature file into a PostgreSQL + pgvector gallery table (thin: <see cref="GalleryFiles.AddFile"/> does the work).</summary>
internal sealed class GalleryAddCommand : ICliCommand
{
    public string[] Path => ["gallery", "add"];
    public string Description => "Add a feature file to a PostgreSQL + pgvector gallery: --db \"Host=…;Port=…;Username=…\" --table T --features G.npy (one transaction; the table is created when missing).";

    private readonly Option<string> _db = new("--db") { Description = "Npgsql connection string of a PostgreSQL server with pgvector", Required = true };
    private readonly Option<string> _table = new("--table") { Description = "Gallery table (letters, digits, '_')", DefaultValueFactory = _ => "reid_gallery" };
    private readonly Option<string> _features = new("--features") { Description = "Gallery features, float32 .npy [N, D]; its sidecar .csv (path,identity,camera) is stored too when present", Required = true };
    private readonly Option<string?> _metric = new("--metric") { Description = "cosine or euclidean for a new table (default: the table's, cosine when new)" };
    private readonly Option<bool> _replace = new("--replace") { Description = "Rows whose path is already stored replace the stored ones (otherwise that is an error)" };
    private readonly Option<bool> _hnsw = new("--hnsw") { Description = "Build the HNSW index afterwards (for reid search --hnsw)" };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object" };

    public void Configure(Command command, CliContext ctx)
    {
        foreach (var o in new Option[] { _db, _table, _features, _metric, _replace, _hnsw, _json })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            DistanceMetric? metric = parse.GetValue(_metric) is { } m ? OptionValues.Choice<DistanceMetric>(m, "--metric") : null;
            var s = StoreErrors(() => GalleryFiles.AddFile(parse.GetValue(_db)!, parse.GetValue(_table)!, parse.GetValue(_features)!, metric,
                parse.GetValue(_replace), parse.GetValue(_hnsw)));
            if (parse.GetValue(_json))
                ctx.WriteJson(new
                {
                    table = s.Table, added = s.Added, total = s.Total, dim = s.Dim, metric = s.Metric, copy = s.Copy, hnswIndex = s.HnswIndex,
                    readSeconds = s.ReadSeconds, addSeconds = s.AddSeconds, indexSeconds = s.IndexSeconds,
                });
            else
            {
                string index = s.HnswIndex ? string.Create(CultureInfo.InvariantCulture, $", HNSW index {s.IndexSeconds:F2} s") : "";
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"added {s.Added} rows × {s.Dim} ({s.Metric}) to '{s.Table}', now {s.Total} rows: read {s.ReadSeconds:F2} s, " +
                    $"add {s.AddSeconds:F2} s ({s.Added / Math.Max(s.AddSeconds, 1e-9):F0} rows/s, {(s.Copy ? "binary COPY" : "INSERT")}){index}"));
            }
            return 0;
        });
    }

    /// <summary>Store errors (unreachable server, a table of another size or metric) are bad input: exit 2 with the message.</summary>
    internal static T StoreErrors<T>(Func<T> run)
    {
        try { return run(); }
        catch (GalleryStoreException e) { throw new CliUsageException(e.Message); }
    }
}
