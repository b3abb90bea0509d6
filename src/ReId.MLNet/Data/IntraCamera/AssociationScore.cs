using System.Text.Json.Serialization;

namespace ReId.MLNet.Data.IntraCamera;

/// <summary>
/// How well a cross-camera association of intra-camera identities matches the hidden truth. Pairs count unordered
/// pairs of intra-camera identities of different cameras: predicted = put in the same pseudo identity, true = the same
/// person.
/// </summary>
public sealed record AssociationScore(
    [property: JsonPropertyName("links")] int Links,
    [property: JsonPropertyName("correct_links")] int CorrectLinks,
    [property: JsonPropertyName("predicted_pairs")] long PredictedPairs,
    [property: JsonPropertyName("true_pairs")] long TruePairs,
    [property: JsonPropertyName("correct_pairs")] long CorrectPairs,
    [property: JsonPropertyName("linked_identities")] int LinkedIdentities)
{
    /// <summary>Share of predicted cross-camera pairs that are the same person (1 when nothing is predicted).</summary>
    [JsonPropertyName("precision")]
    public double Precision => PredictedPairs == 0 ? 1 : (double)CorrectPairs / PredictedPairs;

    /// <summary>Share of true cross-camera pairs that the association found.</summary>
    [JsonPropertyName("recall")]
    public double Recall => TruePairs == 0 ? 1 : (double)CorrectPairs / TruePairs;

    /// <summary>Share of accepted links (before the transitive closure) that join the same person.</summary>
    [JsonPropertyName("link_precision")]
    public double LinkPrecision => Links == 0 ? 1 : (double)CorrectLinks / Links;
}
