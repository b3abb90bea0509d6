namespace ReId.Training.Models.Heads;

/// <summary>Which BNNeck feature is the embedding at inference.</summary>
public enum NeckFeature
{
    /// <summary>Pooled feature before the BatchNorm (used with the triplet loss).</summary>
    BeforeBn,
    /// <summary>Feature after the BatchNorm (BoT's default "after").</summary>
    AfterBn,
}
