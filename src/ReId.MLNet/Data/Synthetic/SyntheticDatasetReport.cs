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

    /// <summary>A few human-readable lines: format, identities, the images, identities and cameras of each split, speed.</summary>
    public string Summary()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{Format} ({Kind.ToString().ToLowerInvariant()}) written to {OutputDirectory}");
        text.AppendLine($"  identities: {TrainIdentities} train, {TestIdentities} test");
        text.AppendLine($"  train:   {Train.Images,7} images {Train.Identities,6} identities {Train.Cameras,3} cameras");
        text.AppendLine($"  query:   {Query.Images,7} images {Query.Identities,6} identities {Query.Cameras,3} cameras");
        text.AppendLine($"  gallery: {Gallery.Images,7} images {Gallery.Identities,6} identities {Gallery.Cameras,3} cameras" +
            (DistractorImages + JunkImages > 0 ? $" (+{DistractorImages} distractors in it, +{JunkImages} junk)" : ""));
        text.Append($"  {TotalImages} images in {Elapsed.TotalSeconds:F2} s ({ImagesPerSecond:F0} images/s)");
        return text.ToString();
    }
}
