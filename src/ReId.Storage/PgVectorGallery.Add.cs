using Npgsql;
using NpgsqlTypes;
using Pgvector;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.Storage;

public sealed partial class PgVectorGallery
{
    /// <summary>Adds rows without paths or cameras (the <see cref="MLNet.Ranking.IGallerySearch"/> surface).</summary>
    public void Add(ReadOnlySpan<float> features, ReadOnlySpan<int> identities) =>
        Add(new GalleryRows(features.ToArray(), new string?[identities.Length], identities.ToArray(), new int?[identities.Length]));

    /// <summary>
    /// Adds every row in one transaction, or none: bad rows (wrong width, NaN or ±∞, a repeated path) are refused before anything
    /// is sent, naming the row; a path already stored, a lost connection or any server error rolls the whole add back. With
    /// <paramref name="replace"/>, rows whose path is already stored are deleted first (in the same transaction) and the new rows
    /// take new indices at the end.
    /// </summary>
    public void Add(GalleryRows rows, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = Validate(rows);
        if (n == 0) return;
        float[] features = (float[])rows.Features.Clone();
        if (Metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(features, Dim);
        Guard(() =>
        {
            using var conn = Connect();
            using var tx = conn.BeginTransaction();
            if (replace)
            {
                using var delete = new NpgsqlCommand($"DELETE FROM {_quoted} WHERE path = ANY($1)", conn);
                delete.Parameters.Add(new NpgsqlParameter { Value = rows.Paths.Where(p => p is not null).ToArray() });
                delete.ExecuteNonQuery();
            }
            // Dense ids (index = id − 1): the counter moves only if this transaction commits, and its row lock queues other writers.
            long first;
            using (var counter = new NpgsqlCommand($"UPDATE {MetaTable} SET next_id = next_id + $2 WHERE table_name = $1 RETURNING next_id - $2", conn))
            {
                counter.Parameters.Add(new NpgsqlParameter { Value = Table });
                counter.Parameters.Add(new NpgsqlParameter<long> { TypedValue = n });
                first = (long)counter.ExecuteScalar()!;
            }
            try
            {
                if (UsesCopy) CopyRows(conn, rows, features, first);
                else InsertRows(conn, rows, features, first);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new GalleryStoreException($"table '{Table}' already holds an image path of these rows ({e.Detail}); nothing was added " +
                    "(add with replace, or delete the path first)", e);
            }
            Execute(conn, $"SELECT setval(pg_get_serial_sequence('{_quoted}', 'id'), {first + n - 1})");
            tx.Commit();
            return 0;
        }, $"adding {n} rows");
    }

    private int Validate(GalleryRows rows)
    {
        int n = rows.Count;
        if (rows.Paths.Length != n || rows.Cameras.Length != n || (rows.Timestamps is { } t && t.Length != n) || (rows.Tracks is { } k && k.Length != n))
            throw new ArgumentException($"{n} identities but {rows.Paths.Length} paths, {rows.Cameras.Length} cameras, " +
                $"{rows.Timestamps?.Length.ToString() ?? "no"} timestamps and {rows.Tracks?.Length.ToString() ?? "no"} tracks; rows must be aligned");
        if (rows.Features.Length != (long)n * Dim)
            throw new ArgumentException($"{rows.Features.Length} floats are not {n} rows of {Dim}: table '{Table}' holds {Dim}-d embeddings" +
                (n > 0 && rows.Features.Length % n == 0 ? $", these rows have {rows.Features.Length / n}" : ""));
        int at = FiniteValues.IndexOfNonFinite(rows.Features);
        if (at >= 0)
        {
            int row = at / Dim;
            string image = rows.Paths[row] is { } p ? $" (image '{p}')" : "";
            throw new ArgumentException($"row {row}{image} holds {(float.IsNaN(rows.Features[at]) ? "NaN" : "an infinity")} at column {at % Dim}; " +
                $"nothing was added to table '{Table}' (embeddings must be finite)");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            if (rows.Paths[i] is { } p && !seen.Add(p))
                throw new ArgumentException($"row {i} repeats the image path '{p}'; paths are unique in table '{Table}'");
        return n;
    }

    /// <summary>Binary COPY: the server parses no text, and the rows stream without a round trip each.</summary>
    private void CopyRows(NpgsqlConnection conn, GalleryRows rows, float[] features, long first)
    {
        using var writer = conn.BeginBinaryImport(
            $"COPY {_quoted} (id, path, identity, camera, \"timestamp\", track, embedding) FROM STDIN (FORMAT BINARY)");
        for (int i = 0; i < rows.Count; i++)
        {
            writer.StartRow();
            writer.Write(first + i, NpgsqlDbType.Bigint);
            WriteOrNull(writer, rows.Paths[i], NpgsqlDbType.Text);
            writer.Write(rows.Identities[i], NpgsqlDbType.Integer);
            WriteOrNull(writer, rows.Cameras[i], NpgsqlDbType.Integer);
            WriteOrNull(writer, rows.Timestamps?[i]?.UtcDateTime, NpgsqlDbType.TimestampTz);
            WriteOrNull(writer, rows.Tracks?[i], NpgsqlDbType.Integer);
            writer.Write(new Vector(features.AsMemory(i * Dim, Dim)), "vector");
        }
        writer.Complete();
    }

    private static void WriteOrNull<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null) writer.WriteNull();
        else writer.Write(value, type);
    }

    /// <summary>Multi-row INSERTs with binary parameters, for servers without COPY FROM STDIN (PGlite).</summary>
    private void InsertRows(NpgsqlConnection conn, GalleryRows rows, float[] features, long first)
    {
        for (int start = 0; start < rows.Count; start += InsertBatchRows)
        {
            int count = Math.Min(InsertBatchRows, rows.Count - start);
            var sql = new System.Text.StringBuilder($"INSERT INTO {_quoted} (id, path, identity, camera, \"timestamp\", track, embedding) VALUES ");
            using var cmd = new NpgsqlCommand { Connection = conn };
            for (int r = 0; r < count; r++)
            {
                int i = start + r, p = r * 7;
                sql.Append(r == 0 ? "" : ",").Append($"(${p + 1},${p + 2},${p + 3},${p + 4},${p + 5},${p + 6},${p + 7})");
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first + i });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)rows.Paths[i] ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = rows.Identities[i] });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)rows.Cameras[i] ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)rows.Timestamps?[i]?.UtcDateTime ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)rows.Tracks?[i] ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(features.AsMemory(i * Dim, Dim)) });
            }
            cmd.CommandText = sql.ToString();
            cmd.ExecuteNonQuery();
        }
    }
}
