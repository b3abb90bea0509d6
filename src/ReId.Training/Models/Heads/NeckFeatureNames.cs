namespace ReId.Training.Models.Heads;

/// <summary>The settings' names of <see cref="NeckFeature"/> values ("after-bn", "before-bn").</summary>
public static class NeckFeatureNames
{
    /// <summary>Parses an <c>inference-feature</c> setting.</summary>
    public static NeckFeature Parse(string value) => value?.ToLowerInvariant() switch
    {
        "after-bn" => NeckFeature.AfterBn,
        "before-bn" => NeckFeature.BeforeBn,
        var f => throw new ArgumentException($"inference-feature '{f}': expected after-bn or before-bn"),
    };
}
