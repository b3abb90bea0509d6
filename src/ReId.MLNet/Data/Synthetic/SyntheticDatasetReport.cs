namespace ReId.MLNet.Data.Synthetic;

/// <summary>What <see cref="SyntheticDatasetGenerator.Generate"/> wrote, and how fast. Split counts follow the readers:
/// junk images (identity -1) are not counted in the gallery; distractors (identity 0) count as one gallery identity.</summary>
public sealed record SyntheticDatasetReport(
    string Format,
    SyntheticKind Kind,
    string OutputDirectory,
    SyntheticSplitCounts Train,
    SyntheticSplitCounts Query,
    SyntheticSplitCounts Gallery,
    int TrainIdentities,
    int TestIdentities,
    int DistractorImages,
    int JunkImages,
    long TotalImages,
    TimeSpan Elapsed)
{
    /// <summary>Images rendered, encoded and written per second.</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? TotalImages / Elapsed.TotalSeconds : 0;
}
