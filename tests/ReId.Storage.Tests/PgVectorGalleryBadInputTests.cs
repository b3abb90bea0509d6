using ReId.MLNet.Evaluation;

namespace ReId.Storage.Tests;

/// <summary>Bad input gives an error naming what is wrong, and the table keeps exactly the rows it had.</summary>
[Collection(PostgresServerCollection.Name)]
public sealed class PgVectorGalleryBadInputTests(PostgresServerFixture server)
{
    private PgVectorGallery SeededTable(string prefix, int rows, int dim, out string table)
    {
        table = PostgresServerFixture.NewTable(prefix);
        var store = PgVectorGallery.Open(server.ConnectionString, table, dim, DistanceMetric.Cosine);
        store.Add(RandomGallery.WithMetadata(RandomGallery.Rows(rows, dim, seed: 20), rows, seed: 21));
        return store;
    }

    [Fact]
    public void RowsOfAnotherWidthAreRefusedNamingBothSizes()
    {
        using var store = SeededTable("width", 10, 16, out string table);
        var e = Assert.Throws<ArgumentException>(() => store.Add(RandomGallery.Rows(3, 8, seed: 1), [1, 2, 3]));
        Assert.Contains($"table '{table}' holds 16-d", e.Message);
        Assert.Contains("these rows have 8", e.Message);
        Assert.Equal(10, store.Count);
    }

    [Fact]
    public void OpeningWithAnotherSizeOrMetricNamesTableExpectedAndFound()
    {
        using var store = SeededTable("meta", 4, 16, out string table);
        var size = Assert.Throws<GalleryStoreException>(() => PgVectorGallery.Open(server.ConnectionString, table, 32));
        Assert.Contains($"table '{table}'", size.Message);
        Assert.Contains("holds 16-d cosine", size.Message);
        Assert.Contains("expected 32-d", size.Message);
        var metric = Assert.Throws<GalleryStoreException>(() => PgVectorGallery.Open(server.ConnectionString, table, 16, DistanceMetric.Euclidean));
        Assert.Contains("expected 16-d euclidean", metric.Message);
        Assert.Equal(4, store.Count);
    }

    [Fact]
    public void NaNIsRefusedNamingTheRowBeforeAnythingIsWritten()
    {
        using var store = SeededTable("nan", 5, 8, out _);
        var rows = RandomGallery.WithMetadata(RandomGallery.Rows(6, 8, seed: 2), 6, seed: 3);
        rows.Features[4 * 8 + 3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => store.Add(rows));
        Assert.Contains("row 4 (image 'img/3/000004.jpg') holds NaN at column 3", e.Message);
        Assert.Equal(5, store.Count);
    }

    [Fact]
    public void AStoredPathRollsTheWholeAddBackAndReplaceSwapsIt()
    {
        using var store = SeededTable("path", 5, 8, out string table);
        var again = RandomGallery.WithMetadata(RandomGallery.Rows(5, 8, seed: 4), 5, seed: 21); // same paths as the seed rows
        var e = Assert.Throws<GalleryStoreException>(() => store.Add(again));
        Assert.Contains($"table '{table}' already holds an image path", e.Message);
        Assert.Equal(5, store.Count);

        store.Add(again with { Identities = [7, 7, 7, 7, 7] }, replace: true);
        Assert.Equal(5, store.Count);
        var top = store.Search(again.Features.AsSpan(0, 8), 1);
        Assert.Equal(7, top.Identities[0]);
        Assert.Equal(5, top.Indices[0]); // replaced rows take new indices after the old ones
        Assert.Equal(2, store.Delete(["img/21/000000.jpg", "img/21/000001.jpg", "not/stored.jpg"]));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void ATableThatIsNotAGalleryIsNamed()
    {
        var e = Assert.Throws<GalleryStoreException>(() => PgVectorGallery.OpenExisting(server.ConnectionString, PostgresServerFixture.NewTable("none")));
        Assert.Contains("is not a gallery", e.Message);
    }

    [Fact]
    public void AnUnreachableServerIsNamedByHostAndPort()
    {
        var e = Assert.Throws<GalleryStoreException>(() => PgVectorGallery.Open("Host=127.0.0.1;Port=1;Username=postgres;Timeout=3", "t", 8));
        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", e.Message);
    }

    [Fact]
    public void AConnectionDroppedMidIngestLeavesTheTableAsItWas()
    {
        const int dim = 32, rows = 4000;
        using var store = SeededTable("drop", 7, dim, out string table);
        // A vector parameter is 4 bytes a value: ~130 KB for these rows; cut after about a third of them.
        using var proxy = new CuttableProxy(new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString).Port, cutAfterBytes: 60_000);
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = proxy.Port, Pooling = false }.ConnectionString;
        using var writer = PgVectorGallery.OpenExisting(viaProxy, table);

        var e = Assert.Throws<GalleryStoreException>(() => writer.Add(RandomGallery.WithMetadata(RandomGallery.Rows(rows, dim, seed: 5), rows, seed: 6)));

        Assert.True(proxy.Cut);
        Assert.Contains("the transaction did not commit", e.Message);
        Assert.Equal(7, store.Count);
        // The table still takes writes (no lock left behind) and the next row is index 7: no gap from the lost add.
        store.Add(RandomGallery.Rows(1, dim, seed: 7), [99]);
        Assert.Equal(7, store.Search(RandomGallery.Rows(1, dim, seed: 7), 1).Indices[0]);
    }
}
