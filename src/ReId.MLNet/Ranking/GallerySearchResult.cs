namespace ReId.MLNet.Ranking;

/// <summary>Top-k gallery matches per query: row q holds entries [q·K, (q+1)·K), best first; unused slots have index -1.</summary>
public sealed record GallerySearchResult(int Queries, int K, int[] Indices, float[] Distances, int[] Identities)
{
    public ReadOnlySpan<int> IndicesOf(int query) => Indices.AsSpan(query * K, K);
    public ReadOnlySpan<float> DistancesOf(int query) => Distances.AsSpan(query * K, K);
    public ReadOnlySpan<int> IdentitiesOf(int query) => Identities.AsSpan(query * K, K);
}
