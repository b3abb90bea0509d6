using ReId.Cli;
using ReId.MLNet.Features;

namespace ReId.Storage.Tests;

/// <summary>`reid gallery add` then `reid search --db` give what `reid search --gallery-features` gives; bad input exits 2 with a message.</summary>
[Collection(PostgresServerCollection.Name)]
public sealed class GalleryCliTests(PostgresServerFixture server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reid-pg-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Reid(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void DatabaseRoundTripWritesTheFileSearchAnswers()
    {
        const int n = 300, dim = 24, nq = 9;
        string g = Path.Combine(_dir, "gallery.npy"), q = Path.Combine(_dir, "query.npy");
        var rows = RandomGallery.WithMetadata(RandomGallery.Rows(n, dim, seed: 30), n, seed: 31);
        FeatureFile.Write(g, new FeatureSet(rows.Features, n, dim, [.. rows.Paths!.Select(p => p!)], rows.Identities, [.. rows.Cameras.Select(c => c!.Value)]));
        NpyFile.Write(q, RandomGallery.Rows(nq, dim, seed: 32), nq, dim);
        string table = PostgresServerFixture.NewTable("cli");

        var add = Reid("gallery", "add", "--db", server.ConnectionString, "--table", table, "--features", g, "--json");
        Assert.True(add.Code == 0, add.Err);
        Assert.Contains("\"added\":300", add.Out.Replace(" ", ""));
        var db = Reid("search", "--db", server.ConnectionString, "--table", table, "--query-features", q, "--top-k", "5", "--out", Path.Combine(_dir, "db.npy"));
        Assert.True(db.Code == 0, db.Err);
        var file = Reid("search", "--gallery-features", g, "--query-features", q, "--top-k", "5", "--out", Path.Combine(_dir, "file.npy"));
        Assert.True(file.Code == 0, file.Err);

        Assert.Equal(NpyInt64File.Read(Path.Combine(_dir, "file.npy")).Data, NpyInt64File.Read(Path.Combine(_dir, "db.npy")).Data);
        var (dFile, _, _) = NpyFile.Read(Path.Combine(_dir, "file.distances.npy"));
        var (dDb, _, _) = NpyFile.Read(Path.Combine(_dir, "db.distances.npy"));
        for (int i = 0; i < dFile.Length; i++) Assert.True(Math.Abs(dFile[i] - dDb[i]) <= 1e-5, $"distance {i}: {dFile[i]} vs {dDb[i]}");

        // The same file again: every path is stored, so nothing is added and the exit code says bad input.
        var again = Reid("gallery", "add", "--db", server.ConnectionString, "--table", table, "--features", g);
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds an image path", again.Err);
        var hnsw = Reid("search", "--db", server.ConnectionString, "--table", table, "--query-features", q, "--hnsw", "--out", Path.Combine(_dir, "h.npy"));
        Assert.Equal(2, hnsw.Code);
        Assert.Contains("has no HNSW index", hnsw.Err);
    }

    [Fact]
    public void BadInputExitsTwoWithAMessageAndNoStackTrace()
    {
        string q = Path.Combine(_dir, "q.npy");
        NpyFile.Write(q, RandomGallery.Rows(2, 8, seed: 1), 2, 8);
        var down = Reid("gallery", "add", "--db", "Host=127.0.0.1;Port=1;Username=postgres;Timeout=3", "--table", "t", "--features", q);
        Assert.Equal(2, down.Code);
        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", down.Err);
        Assert.DoesNotContain("   at ", down.Err);

        string table = PostgresServerFixture.NewTable("clibad");
        Assert.Equal(0, Reid("gallery", "add", "--db", server.ConnectionString, "--table", table, "--features", q).Code);
        string wide = Path.Combine(_dir, "wide.npy");
        NpyFile.Write(wide, RandomGallery.Rows(2, 16, seed: 2), 2, 16);
        var width = Reid("search", "--db", server.ConnectionString, "--table", table, "--query-features", wide, "--out", Path.Combine(_dir, "o.npy"));
        Assert.Equal(2, width.Code);
        Assert.Contains($"table '{table}' holds 8-d", width.Err);
        var both = Reid("search", "--db", server.ConnectionString, "--gallery-features", q, "--query-features", q, "--out", Path.Combine(_dir, "o.npy"));
        Assert.Equal(2, both.Code);
        var neither = Reid("search", "--query-features", q, "--out", Path.Combine(_dir, "o.npy"));
        Assert.Equal(2, neither.Code);
        Assert.Contains("expected --gallery-features", neither.Err);
    }
}
