using System.Text.Json.Serialization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>Counts of one split.</summary>
public sealed record SplitSummary(
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("identities")] int Identities,
    [property: JsonPropertyName("cameras")] int Cameras)
{
    public static SplitSummary Of(IReadOnlyList<ReIdSample> samples) =>
        new(samples.Count, samples.Select(s => s.Identity).Distinct().Count(), samples.Select(s => s.Camera).Distinct().Count());
}
