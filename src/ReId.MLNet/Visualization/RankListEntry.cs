namespace ReId.MLNet.Visualization;

/// <summary>One row of a rank-list picture: a query and its ranked gallery images.</summary>
/// <param name="QueryImagePath">The query image.</param>
/// <param name="GalleryImagePaths">Top-ranked gallery images, best first.</param>
/// <param name="Matches">For each gallery image, whether it shows the query's identity (green) or not (red).</param>
public sealed record RankListEntry(string QueryImagePath, IReadOnlyList<string> GalleryImagePaths, IReadOnlyList<bool> Matches);
