namespace ReId.Storage;

/// <summary>How <see cref="PgVectorGallery.Search(ReadOnlySpan{float}, int, PgVectorSearchOptions)"/> searches and which rows it may return.</summary>
public sealed class PgVectorSearchOptions
{
    /// <summary>Use the HNSW index (approximate, <see cref="PgVectorGallery.CreateHnswIndex"/> first); false forces an exact sequential scan.</summary>
    public bool Approximate { get; init; }

    /// <summary>HNSW candidate list size (pgvector's <c>hnsw.ef_search</c>, default 40 there); larger is slower and recalls more.</summary>
    public int? EfSearch { get; init; }

    /// <summary>
    /// The queries' identities and cameras (one per query): rows of the same identity seen by the same camera are left out, as the
    /// Market-1501 / DukeMTMC evaluation protocol requires. Both or neither.
    /// </summary>
    public int[]? QueryIdentities { get; init; }
    public int[]? QueryCameras { get; init; }

    /// <summary>Only rows seen by these cameras.</summary>
    public int[]? Cameras { get; init; }

    /// <summary>Only rows taken at or after <see cref="From"/> and before <see cref="Until"/> (rows without a time are left out when either is set).</summary>
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? Until { get; init; }
}
