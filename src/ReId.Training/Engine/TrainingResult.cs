using ReId.MLNet.Evaluation;

namespace ReId.Training.Engine;

/// <summary>What a finished run produced: where its files are and how well its final model ranks.</summary>
public sealed record TrainingResult
{
    public required string RunDirectory { get; init; }
    /// <summary>Folder with model.onnx + model.json.</summary>
    public required string ModelPackageDirectory { get; init; }
    /// <summary>The fitted ML.NET pipeline (image path → embedding).</summary>
    public required string ModelZipPath { get; init; }
    /// <summary>Evaluation of the saved .zip on the dataset's query/gallery (null when the dataset has none).</summary>
    public ReIdMetrics? FinalMetrics { get; init; }
    /// <summary>Evaluation of the initial (untrained) network, when it was evaluated.</summary>
    public ReIdMetrics? InitialMetrics { get; init; }
    /// <summary>The final model under each clothes-changing protocol ("cc-standard", "cc-only") when the data has clothes ids; empty otherwise.</summary>
    public IReadOnlyDictionary<string, ReIdMetrics> FinalProtocolMetrics { get; init; } = new Dictionary<string, ReIdMetrics>();
    /// <summary>The untrained network's extra figures (e.g. "cc-only-map"), as metrics.csv's epoch-0 row holds them; empty when none.</summary>
    public IReadOnlyDictionary<string, double> InitialFigures { get; init; } = new Dictionary<string, double>();
    public int EpochsTrained { get; init; }
    public double TrainingImagesPerSecond { get; init; }
    public double TrainingSeconds { get; init; }
}
