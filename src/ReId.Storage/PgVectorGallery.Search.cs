using System.Globalization;
using System.Text;
using Npgsql;
using Pgvector;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Ranking;

namespace ReId.Storage;

public sealed partial class PgVectorGallery
{
    /// <summary>Queries sent per round trip (one statement each, pipelined in one batch).</summary>
    private const int QueriesPerBatch = 32;

    /// <summary>Exact top-k of every query, no filter (the <see cref="IGallerySearch"/> surface).</summary>
    public GallerySearchResult Search(ReadOnlySpan<float> queries, int topK) => Search(queries, topK, new PgVectorSearchOptions());

    /// <summary>
    /// The k nearest rows of every query (row-major, <see cref="Dim"/> floats a row) that pass the filters, best first; unused slots
    /// have index −1. Exact search forces a sequential scan (every row scored, as <see cref="GalleryIndex"/> does); approximate
    /// search walks the HNSW index and may miss true neighbours (recall below 1).
    /// </summary>
    public GallerySearchResult Search(ReadOnlySpan<float> queries, int topK, PgVectorSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (queries.Length % Dim != 0)
            throw new ArgumentException($"{queries.Length} query floats are not whole rows of {Dim}: table '{Table}' holds {Dim}-d embeddings");
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be at least 1");
        FiniteValues.ThrowIfNonFinite(queries, Dim, "query features");
        int nq = queries.Length / Dim;
        if ((options.QueryIdentities is null) != (options.QueryCameras is null))
            throw new ArgumentException("QueryIdentities and QueryCameras go together (the same-camera filter needs both)", nameof(options));
        if (options.QueryIdentities is { } qi && (qi.Length != nq || options.QueryCameras!.Length != nq))
            throw new ArgumentException($"{qi.Length} query identities and {options.QueryCameras!.Length} query cameras for {nq} queries", nameof(options));
        if (options.EfSearch is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(options), options.EfSearch, "EfSearch must be in 1..1000 (pgvector's range)");

        float[] q = queries.ToArray();
        if (Metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(q, Dim);
        var indices = new int[nq * topK];
        var distances = new float[nq * topK];
        var identities = new int[nq * topK];
        Array.Fill(indices, -1);
        Array.Fill(identities, -1);
        string sql = QuerySql(topK, options);
        Guard(() =>
        {
            using var conn = Connect();
            using var tx = conn.BeginTransaction();
            foreach (string setting in Settings(topK, options)) Execute(conn, setting);
            for (int start = 0; start < nq; start += QueriesPerBatch)
            {
                using var batch = new NpgsqlBatch(conn, tx);
                for (int i = start; i < Math.Min(nq, start + QueriesPerBatch); i++)
                {
                    var command = new NpgsqlBatchCommand(sql);
                    command.Parameters.Add(new NpgsqlParameter { Value = new Vector(q.AsMemory(i * Dim, Dim)) });
                    if (options.QueryIdentities is { } ids)
                    {
                        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ids[i] });
                        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.QueryCameras![i] });
                    }
                    batch.BatchCommands.Add(command);
                }
                using var reader = batch.ExecuteReader();
                for (int i = start; ; i++)
                {
                    int slot = i * topK;
                    while (reader.Read())
                    {
                        indices[slot] = checked((int)(reader.GetInt64(0) - 1));
                        identities[slot] = reader.GetInt32(1);
                        distances[slot] = (float)reader.GetDouble(2);
                        slot++;
                    }
                    if (!reader.NextResult()) break;
                }
            }
            tx.Commit();
            return 0;
        }, $"searching {nq} queries");
        return new GallerySearchResult(nq, topK, indices, distances, identities);
    }

    /// <summary>One query's statement: $1 the query vector, then ($2, $3) its identity and camera when the protocol filter is on.</summary>
    private string QuerySql(int topK, PgVectorSearchOptions options)
    {
        string op = Metric == DistanceMetric.Cosine ? "<=>" : "<->";
        var where = new List<string>();
        if (options.QueryIdentities is not null) where.Add("(identity, camera) IS DISTINCT FROM ($2, $3)");
        if (options.Cameras is { } cams) where.Add($"camera IN ({(cams.Length == 0 ? "NULL" : string.Join(',', cams.Select(c => c.ToString(CultureInfo.InvariantCulture))))})");
        if (options.From is { } from) where.Add($"\"timestamp\" >= '{from.UtcDateTime:O}'::timestamptz");
        if (options.Until is { } until) where.Add($"\"timestamp\" < '{until.UtcDateTime:O}'::timestamptz");
        var sql = new StringBuilder($"SELECT id, identity, embedding {op} $1 AS distance FROM {_quoted}");
        if (where.Count > 0) sql.Append(" WHERE ").Append(string.Join(" AND ", where));
        // The index can only serve "ORDER BY embedding <op> $1"; the exact scan also breaks ties by insertion order, as GalleryIndex does.
        sql.Append($" ORDER BY embedding {op} $1").Append(options.Approximate ? "" : ", id").Append($" LIMIT {topK}");
        return sql.ToString();
    }

    private IEnumerable<string> Settings(int topK, PgVectorSearchOptions options)
    {
        if (!options.Approximate)
        {
            yield return "SET LOCAL enable_indexscan = off";
            yield return "SET LOCAL enable_bitmapscan = off";
            yield break;
        }
        // Without this the planner scans small tables sequentially and the "HNSW" figures would be exact ones.
        yield return "SET LOCAL enable_seqscan = off";
        // ef_search bounds how many rows the index returns: below k a query would come back short.
        yield return $"SET LOCAL hnsw.ef_search = {Math.Max(options.EfSearch ?? 40, Math.Min(topK, 1000))}";
        bool filtered = options.QueryIdentities is not null || options.Cameras is not null || options.From is not null || options.Until is not null;
        // pgvector ≥ 0.8 keeps walking the graph until k rows pass the filter; older versions filter ef_search candidates and may return fewer.
        if (filtered && _iterativeScan) yield return "SET LOCAL hnsw.iterative_scan = strict_order";
    }
}
