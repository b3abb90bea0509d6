namespace ReId.Storage;

/// <summary>What <see cref="GalleryFiles.AddFile"/> did: rows added, the table's size afterwards and where the time went.</summary>
public sealed record GalleryAddSummary(string Table, int Added, int Total, int Dim, string Metric, bool Copy, bool HnswIndex,
    double ReadSeconds, double AddSeconds, double IndexSeconds);
