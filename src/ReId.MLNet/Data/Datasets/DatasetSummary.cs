using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>Images, identities and cameras per split (identities count distinct original ids; distractor id 0 counts as one).</summary>
public sealed record DatasetSummary(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("train")] SplitSummary Train,
    [property: JsonPropertyName("query")] SplitSummary Query,
    [property: JsonPropertyName("gallery")] SplitSummary Gallery)
{
    /// <summary>Training identities per camera as intra-camera supervision counts them (camera → identities seen by it).</summary>
    [JsonPropertyName("train_intra_camera_identities")]
    public IReadOnlyDictionary<int, int> TrainIntraCameraIdentities { get; init; } = new Dictionary<int, int>();

    public static DatasetSummary Of(ReIdDataset dataset) =>
        new(dataset.Format, SplitSummary.Of(dataset.Train), SplitSummary.Of(dataset.Query), SplitSummary.Of(dataset.Gallery))
        {
            TrainIntraCameraIdentities = IntraCamera.IntraCameraSupervision.IdentitiesPerCamera(dataset.Train),
        };

    /// <summary>The `reid dataset info --json` object.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);
}
