namespace ReId.MLNet.Ranking;

/// <summary>What <see cref="FeatureSearch.SearchFiles"/> did: sizes, outputs and where the time went.</summary>
public sealed record FeatureSearchSummary(
    int Queries, int Gallery, int Dim, int TopK, string Metric, string IndicesPath, string DistancesPath, string? RankListPath,
    double ReadSeconds, double SearchSeconds, double WriteSeconds);
