using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Ranking;

namespace ReId.Storage;

/// <summary>
/// A gallery kept in PostgreSQL with the pgvector extension: one table per gallery (path, identity, camera, time, track, embedding),
/// bulk adds that are all-or-nothing, exact or HNSW top-k with the ReID protocol's filters. Results follow <see cref="GalleryIndex"/>'s
/// conventions (<see cref="IGallerySearch"/>), so either can serve the same ranking or evaluation code.
/// </summary>
/// <remarks>
/// The embedding size and metric live in a small metadata table (<c>reid_gallery_meta</c>) and are checked whenever a table is opened,
/// so a 512-d cosine gallery is never searched with 256-d or Euclidean queries. Cosine rows are L2-normalised before they are stored, as
/// <see cref="GalleryIndex"/> does, so <c>&lt;=&gt;</c> returns exactly its 1 − cosine. A row's search index is its <c>id</c> − 1: ids are
/// handed out densely from a counter in the metadata row, moved inside the add's own transaction (not by the sequence, which a rolled-back
/// add would leave with a gap), so the n-th row ever added is index n − 1, the same number <see cref="GalleryIndex"/> gives it; deleted rows
/// leave their index unused. The counter's row lock makes writers to one table take turns; searches never wait for them.
/// </remarks>
public sealed partial class PgVectorGallery : IGallerySearch, IDisposable
{
    internal const string MetaTable = "reid_gallery_meta";
    private const int InsertBatchRows = 500;
    /// <summary>Widest embedding kept inline: 4·1900 + 8 bytes leaves room in an 8 KB page for the other columns and the row header.</summary>
    private const int MaxInlineDim = 1900;
    private readonly NpgsqlDataSource _source;
    private readonly string _server;
    private readonly string _quoted;
    private readonly bool _iterativeScan;

    private PgVectorGallery(NpgsqlDataSource source, string server, string table, int dim, DistanceMetric metric, bool useCopy, bool iterativeScan)
    {
        _source = source;
        _server = server;
        Table = table;
        _quoted = "\"" + table + "\"";
        Dim = dim;
        Metric = metric;
        UsesCopy = useCopy;
        _iterativeScan = iterativeScan;
    }

    public string Table { get; }
    /// <summary>host:port of the server, for messages.</summary>
    public string Server => _server;

    /// <summary>The server's <c>version()</c> (PGlite says so in it).</summary>
    public string ServerVersion
    {
        get
        {
            using var conn = Connect();
            return Scalar(conn, "SELECT version()");
        }
    }
    public int Dim { get; }
    public DistanceMetric Metric { get; }

    /// <summary>
    /// Whether adds stream rows with binary COPY (every real PostgreSQL). PGlite's socket server cannot take COPY FROM STDIN (its
    /// single-user backend reads the data before the client can send it, and the server then stops answering), so there rows go in
    /// multi-row INSERTs of binary parameters, in the same one transaction.
    /// </summary>
    public bool UsesCopy { get; }

    public int Count
    {
        get
        {
            using var conn = Connect();
            using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {_quoted}", conn);
            return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Opens <paramref name="table"/> on the server of <paramref name="connectionString"/>, creating the extension, the metadata table and
    /// the gallery table when missing. An existing table must hold <paramref name="dim"/>-d embeddings of <paramref name="metric"/>
    /// (null accepts the table's metric, cosine for a new table); otherwise a <see cref="GalleryStoreException"/> names both.
    /// </summary>
    public static PgVectorGallery Open(string connectionString, string table, int dim, DistanceMetric? metric = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "the embedding size must be positive");
        return OpenCore(connectionString, table, (dim, metric));
    }

    /// <summary>Opens an existing gallery table, taking its embedding size and metric from the metadata table.</summary>
    public static PgVectorGallery OpenExisting(string connectionString, string table) => OpenCore(connectionString, table, null);

    private static PgVectorGallery OpenCore(string connectionString, string table, (int Dim, DistanceMetric? Metric)? create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (!TableName().IsMatch(table ?? ""))
            throw new ArgumentException($"table name '{table}': expected a letter or '_' followed by up to 57 letters, digits or '_'", nameof(table));
        NpgsqlConnectionStringBuilder parsed;
        try { parsed = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new ArgumentException($"connection string '{connectionString}': {e.Message}", nameof(connectionString), e); }
        string server = $"{parsed.Host ?? "localhost"}:{parsed.Port}";
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        var source = builder.Build();
        try
        {
            using var conn = Connect(source, server);
            Execute(conn, "CREATE EXTENSION IF NOT EXISTS vector");
            conn.ReloadTypes();
            Execute(conn, $"CREATE TABLE IF NOT EXISTS {MetaTable} (table_name text PRIMARY KEY, dim int NOT NULL, metric text NOT NULL, next_id bigint NOT NULL DEFAULT 1)");
            var stored = ReadMeta(conn, table!);
            int dim;
            DistanceMetric metric;
            if (stored is { } s)
            {
                (dim, metric) = s;
                if (create is { } want && (want.Dim != dim || (want.Metric is { } m && m != metric)))
                    throw new GalleryStoreException($"table '{table}' on {server} holds {dim}-d {Name(metric)} embeddings; expected {want.Dim}-d {Name(want.Metric ?? metric)} " +
                        "(use another --table, or the table's size and metric)");
            }
            else if (create is { } want)
            {
                (dim, metric) = (want.Dim, want.Metric ?? DistanceMetric.Cosine);
                CreateTable(conn, table!, dim, metric, server);
            }
            else throw new GalleryStoreException($"table '{table}' on {server} is not a gallery (no row in {MetaTable}); create it with 'reid gallery add'");
            string version = Scalar(conn, "SELECT version()");
            string vectorVersion = Scalar(conn, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
            bool iterative = Version.TryParse(vectorVersion, out var v) && v >= new Version(0, 8, 0);
            return new PgVectorGallery(source, server, table!, dim, metric, !version.Contains("PGlite", StringComparison.Ordinal), iterative);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static void CreateTable(NpgsqlConnection conn, string table, int dim, DistanceMetric metric, string server)
    {
        if (Scalar(conn, $"SELECT to_regclass('\"{table}\"') IS NOT NULL") == "True")
            throw new GalleryStoreException($"table '{table}' on {server} exists but is not a gallery (no row in {MetaTable}); choose another --table");
        using var tx = conn.BeginTransaction();
        Execute(conn, $"CREATE TABLE \"{table}\" (id bigserial PRIMARY KEY, path text UNIQUE, identity int NOT NULL, camera int, " +
            $"\"timestamp\" timestamptz, track int, embedding vector({dim}) NOT NULL)");
        // pgvector stores vectors out of line (TOAST) once a row passes ~2 KB, i.e. from about 500 dimensions, so an exact search reads
        // every embedding through the TOAST table. Inline, an exact top-10 over 100k × 512 took 154 ms instead of 268 (medians of 12
        // interleaved serial scans, PostgreSQL 15 + pgvector 0.8.6). PLAIN rows must fit in one 8 KB page, so wider embeddings keep the default.
        if (dim <= MaxInlineDim) Execute(conn, $"ALTER TABLE \"{table}\" ALTER COLUMN embedding SET STORAGE PLAIN");
        using (var cmd = new NpgsqlCommand($"INSERT INTO {MetaTable} (table_name, dim, metric) VALUES ($1, $2, $3)", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = table });
            cmd.Parameters.Add(new NpgsqlParameter { Value = dim });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Name(metric) });
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private static (int Dim, DistanceMetric Metric)? ReadMeta(NpgsqlConnection conn, string table)
    {
        using var cmd = new NpgsqlCommand($"SELECT dim, metric FROM {MetaTable} WHERE table_name = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) return null;
        int dim = reader.GetInt32(0);
        string metric = reader.GetString(1);
        return (dim, metric switch
        {
            "cosine" => DistanceMetric.Cosine,
            "euclidean" => DistanceMetric.Euclidean,
            _ => throw new GalleryStoreException($"{MetaTable} records metric '{metric}' for table '{table}'; expected cosine or euclidean"),
        });
    }

    /// <summary>Builds pgvector's HNSW index over the embeddings (cosine or L2 operator class by the table's metric) when it is missing.</summary>
    public void CreateHnswIndex(int m = 16, int efConstruction = 64)
    {
        if (m < 2 || efConstruction < 2 * m)
            throw new ArgumentOutOfRangeException(nameof(efConstruction), $"HNSW needs m ≥ 2 and ef_construction ≥ 2·m (got m {m}, ef_construction {efConstruction})");
        using var conn = Connect();
        string ops = Metric == DistanceMetric.Cosine ? "vector_cosine_ops" : "vector_l2_ops";
        Execute(conn, $"CREATE INDEX IF NOT EXISTS \"{Table}_hnsw\" ON {_quoted} USING hnsw (embedding {ops}) WITH (m = {m}, ef_construction = {efConstruction})");
    }

    /// <summary>Whether the HNSW index of <see cref="CreateHnswIndex"/> exists.</summary>
    public bool HasHnswIndex
    {
        get
        {
            using var conn = Connect();
            return Scalar(conn, $"SELECT to_regclass('\"{Table}_hnsw\"') IS NOT NULL") == "True";
        }
    }

    /// <summary>Deletes the rows of these image paths (one transaction); returns how many there were.</summary>
    public int Delete(IReadOnlyCollection<string> paths)
    {
        using var conn = Connect();
        using var cmd = new NpgsqlCommand($"DELETE FROM {_quoted} WHERE path = ANY($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = paths.ToArray() });
        return Guard(() => cmd.ExecuteNonQuery(), "deleting rows");
    }

    public void Dispose() => _source.Dispose();

    internal NpgsqlConnection Connect() => Connect(_source, _server);

    private static NpgsqlConnection Connect(NpgsqlDataSource source, string server)
    {
        try { return source.OpenConnection(); }
        catch (Exception e) when (e is NpgsqlException { InnerException: SocketException or IOException or TimeoutException } or SocketException or TimeoutException
            || (e is NpgsqlException && e is not PostgresException))
        {
            throw new GalleryStoreException($"cannot reach PostgreSQL at {server}: {e.Message} (is the server running and the --db connection string right?)", e);
        }
        catch (PostgresException e)
        {
            throw new GalleryStoreException($"PostgreSQL at {server} refused the connection: {e.MessageText}", e);
        }
    }

    /// <summary>Runs a database step, turning a lost connection into a <see cref="GalleryStoreException"/> that says what did not happen.</summary>
    private T Guard<T>(Func<T> step, string what)
    {
        try { return step(); }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new GalleryStoreException($"the connection to {_server} failed while {what} in table '{Table}': {e.Message}; " +
                "the transaction did not commit, so the table is as it was", e);
        }
    }

    private static void Execute(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    private static string Scalar(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToString(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    internal static string Name(DistanceMetric metric) => metric == DistanceMetric.Cosine ? "cosine" : "euclidean";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,57}$")]
    private static partial Regex TableName();
}
