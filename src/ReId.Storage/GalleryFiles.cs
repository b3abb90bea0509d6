using System.Diagnostics;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Ranking;

namespace ReId.Storage;

/// <summary>
/// Feature files in and out of a <see cref="PgVectorGallery"/> (what <c>reid gallery add</c> and <c>reid search --db</c> run): a float32
/// <c>.npy</c> with its optional <c>path,identity,camera</c> sidecar into a table; query features against a table into the same int64
/// indices and float32 distances files that the file-based <see cref="FeatureSearch.SearchFiles"/> writes.
/// </summary>
public static class GalleryFiles
{
    /// <summary>
    /// Adds every row of <paramref name="featuresPath"/> to <paramref name="table"/> (created when missing) in one transaction. Without a
    /// sidecar the rows have no path or camera and identity −1. <paramref name="hnsw"/> builds the HNSW index afterwards if it is missing.
    /// </summary>
    public static GalleryAddSummary AddFile(string connectionString, string table, string featuresPath, DistanceMetric? metric = null,
        bool replace = false, bool hnsw = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(featuresPath);
        var clock = Stopwatch.StartNew();
        GalleryRows rows;
        if (File.Exists(FeatureFile.SidecarPath(featuresPath))) rows = GalleryRows.From(FeatureFile.Read(featuresPath));
        else
        {
            var (data, n, _) = NpyFile.Read(featuresPath);
            var unknown = new int[n];
            Array.Fill(unknown, -1);
            rows = new GalleryRows(data, new string?[n], unknown, new int?[n]);
        }
        int dim = rows.Count > 0 ? rows.Features.Length / rows.Count : 0;
        if (rows.Count == 0) throw new InvalidDataException($"'{featuresPath}' holds no rows to add");
        double read = clock.Elapsed.TotalSeconds;

        using var store = PgVectorGallery.Open(connectionString, table, dim, metric);
        clock.Restart();
        store.Add(rows, replace);
        double add = clock.Elapsed.TotalSeconds;
        clock.Restart();
        if (hnsw) store.CreateHnswIndex();
        double index = clock.Elapsed.TotalSeconds;
        return new GalleryAddSummary(table, rows.Count, store.Count, dim, PgVectorGallery.Name(store.Metric), store.UsesCopy, store.HasHnswIndex,
            read, add, index);
    }

    /// <summary>
    /// Searches <paramref name="table"/> with every row of <paramref name="queryPath"/> and writes <paramref name="indicesPath"/> (int64
    /// [Nq, K], −1 in unused slots) and its distances file atomically. Approximate search needs the table's HNSW index.
    /// </summary>
    public static FeatureSearchSummary SearchFile(string connectionString, string table, string queryPath, string indicesPath, int topK,
        bool approximate = false, int? efSearch = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queryPath);
        if (!indicesPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"output '{indicesPath}' must end in .npy");
        if (topK < 1) throw new ArgumentException($"top-k must be at least 1 (got {topK})");
        var clock = Stopwatch.StartNew();
        var (q, nq, dim) = NpyFile.Read(queryPath);
        double read = clock.Elapsed.TotalSeconds;
        using var store = PgVectorGallery.OpenExisting(connectionString, table);
        if (dim != store.Dim)
            throw new InvalidDataException($"'{queryPath}' has {dim} values a row but table '{table}' holds {store.Dim}-d embeddings");
        if (approximate && !store.HasHnswIndex)
            throw new GalleryStoreException($"table '{table}' has no HNSW index; build it with 'reid gallery add --hnsw' (or search without --hnsw)");

        clock.Restart();
        var result = store.Search(q, topK, new PgVectorSearchOptions { Approximate = approximate, EfSearch = efSearch });
        double search = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var indices = new long[result.Indices.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = result.Indices[i];
        string distancesPath = FeatureSearch.DistancesPath(indicesPath);
        NpyInt64File.Write(indicesPath, indices, nq, result.K);
        NpyFile.Write(distancesPath, result.Distances, nq, result.K);
        return new FeatureSearchSummary(nq, store.Count, dim, result.K, PgVectorGallery.Name(store.Metric), indicesPath, distancesPath, null,
            read, search, clock.Elapsed.TotalSeconds);
    }
}
