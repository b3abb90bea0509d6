using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Ranking;

/// <summary>
/// A gallery of embeddings that answers top-k queries: the in-process <see cref="GalleryIndex"/> and the database-backed stores
/// (ReId.Storage's <c>PgVectorGallery</c>) both implement it, so ranking and evaluation code can take either.
/// </summary>
/// <remarks>
/// Results use <see cref="GalleryIndex"/>'s conventions whatever the engine: distance 1 − cosine (rows L2-normalised) or Euclidean,
/// best first, and an index that is the row's position in the order the rows were added (0 for the first row).
/// </remarks>
public interface IGallerySearch
{
    int Dim { get; }
    DistanceMetric Metric { get; }
    int Count { get; }

    /// <summary>Adds rows (row-major, <see cref="Dim"/> floats a row) with their identities; a non-finite value is refused naming the row.</summary>
    void Add(ReadOnlySpan<float> features, ReadOnlySpan<int> identities);

    /// <summary>The k nearest gallery rows of every query.</summary>
    GallerySearchResult Search(ReadOnlySpan<float> queries, int topK);
}
