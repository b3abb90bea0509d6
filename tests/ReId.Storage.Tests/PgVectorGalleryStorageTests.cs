using Npgsql;
using Pgvector;
using ReId.MLNet.Evaluation;

namespace ReId.Storage.Tests;

/// <summary>What an add writes is what was given, read back column by column with plain SQL (not through the store's own search).</summary>
[Collection(PostgresServerCollection.Name)]
public sealed class PgVectorGalleryStorageTests(PostgresServerFixture server)
{
    [Fact]
    public void EveryColumnIsStoredAsGivenThroughTheServersIngestPath()
    {
        const int n = 40, dim = 8;
        var rows = RandomGallery.WithMetadata(RandomGallery.Rows(n, dim, seed: 30), n, seed: 31,
            start: new DateTimeOffset(2026, 12, 1, 9, 30, 15, 250, TimeSpan.FromHours(2)));
        // NULLs in every nullable column, on different rows.
        rows.Paths[3] = null;
        rows.Cameras[5] = null;
        rows.Timestamps![7] = null;
        rows.Tracks![9] = null;
        string table = PostgresServerFixture.NewTable("columns");
        // Euclidean keeps the embeddings as given (cosine rows are normalised first), so they can be compared bit for bit.
        using var store = PgVectorGallery.Open(server.ConnectionString, table, dim, DistanceMetric.Euclidean);
        // A real PostgreSQL takes binary COPY; only PGlite falls back to INSERT (the test would otherwise not cover the COPY path).
        Assert.Equal(!server.IsPglite, store.UsesCopy);

        store.Add(rows);

        var builder = new NpgsqlDataSourceBuilder(server.ConnectionString);
        builder.UseVector();
        using var source = builder.Build();
        using var conn = source.OpenConnection();
        using var cmd = new NpgsqlCommand($"SELECT id, path, identity, camera, \"timestamp\", track, embedding FROM \"{table}\" ORDER BY id", conn);
        using var reader = cmd.ExecuteReader();
        int i = 0;
        for (; reader.Read(); i++)
        {
            Assert.Equal(i + 1, reader.GetInt64(0));
            Assert.Equal(rows.Paths[i], reader.IsDBNull(1) ? null : reader.GetString(1));
            Assert.Equal(rows.Identities[i], reader.GetInt32(2));
            Assert.Equal(rows.Cameras[i], reader.IsDBNull(3) ? null : reader.GetInt32(3));
            Assert.Equal(rows.Timestamps[i], reader.IsDBNull(4) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(4)));
            Assert.Equal(rows.Tracks[i], reader.IsDBNull(5) ? null : reader.GetInt32(5));
            Assert.Equal(rows.Features.AsSpan(i * dim, dim).ToArray(), reader.GetFieldValue<Vector>(6).ToArray());
        }
        Assert.Equal(n, i);
    }

    [Theory]
    [InlineData(1900, "p")] // the widest kept inline: rows must still fit in one page with their path and other columns
    [InlineData(2048, "e")] // wider: pgvector's default out-of-line storage, or PostgreSQL would refuse the row
    public void EmbeddingsAreStoredInlineOnlyWhileARowFitsInAPage(int dim, string storage)
    {
        const int n = 12;
        var rows = RandomGallery.WithMetadata(RandomGallery.Rows(n, dim, seed: 32), n, seed: 33);
        rows.Paths[0] = "cam/" + new string('x', 300) + ".jpg";
        string table = PostgresServerFixture.NewTable("inline");
        using var store = PgVectorGallery.Open(server.ConnectionString, table, dim, DistanceMetric.Cosine);

        store.Add(rows);

        using (var conn = store.Connect())
        using (var cmd = new NpgsqlCommand($"SELECT attstorage::text FROM pg_attribute WHERE attrelid = '\"{table}\"'::regclass AND attname = 'embedding'", conn))
            Assert.Equal(storage, (string)cmd.ExecuteScalar()!);
        var top = store.Search(rows.Features.AsSpan(5 * dim, dim), 1);
        Assert.Equal(5, top.Indices[0]);
        Assert.Equal(n, store.Count);
    }
}
