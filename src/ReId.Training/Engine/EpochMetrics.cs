namespace ReId.Training.Engine;

/// <summary>What one epoch of training measured; evaluation fields are NaN on epochs without evaluation.</summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    public string Stage { get; init; } = "train";
    public double Loss { get; init; }
    public double IdentityLoss { get; init; }
    public double MetricLoss { get; init; }
    public double Accuracy { get; init; }
    public double LearningRate { get; init; }
    public double ImagesPerSecond { get; init; }
    public double Seconds { get; init; }
    public double MAP { get; init; } = double.NaN;
    public double Rank1 { get; init; } = double.NaN;
    public double Rank5 { get; init; } = double.NaN;
    public double MINP { get; init; } = double.NaN;
    /// <summary>Method-specific figures of the epoch (for example association precision), by name; null when there are none.</summary>
    public SortedDictionary<string, double>? Extra { get; init; }
}
