namespace ReId.Training.Engine;

/// <summary>The JSON half of a checkpoint: where training stands.</summary>
public sealed record CheckpointState
{
    /// <summary>Epoch the checkpoint belongs to (0 = initial weights).</summary>
    public int Epoch { get; init; }
    /// <summary>Next batch of <see cref="Epoch"/> to run; 0 when the epoch is complete.</summary>
    public int NextBatch { get; init; }
    /// <summary>True when <see cref="Epoch"/> finished (resume starts at Epoch + 1).</summary>
    public bool EpochComplete { get; init; } = true;
    public long Seed { get; init; }
    public string Recipe { get; init; } = "";
    /// <summary>Classifier size (training identities), needed to rebuild the model from the checkpoint alone.</summary>
    public int NumClasses { get; init; }
    public double BestMap { get; init; } = double.NaN;
    public int BestEpoch { get; init; }
    public Dictionary<string, long>? OptimizerSteps { get; init; }
    /// <summary>Every stage before the main loop is complete (named for CLIP-ReID's prompt learning; older checkpoints carry only this flag).</summary>
    public bool PromptsLearned { get; init; }
    /// <summary>Stages (run before the main loop) that are complete: their results are in the weights.</summary>
    public string[]? CompletedStages { get; init; }
    /// <summary>The method's record of the network's architecture, so the checkpoint rebuilds without pretrained files.</summary>
    public string? Architecture { get; init; }
    /// <summary>Distinct training camera ids, sorted: camera embeddings are indexed by position in this list.</summary>
    public int[]? CameraIds { get; init; }
    /// <summary>The training method (a registered name).</summary>
    public string Method { get; init; } = "";
    /// <summary>The file holds no optimiser state (epoch snapshots and best): resuming from it restarts the optimiser.</summary>
    public bool WeightsOnly { get; init; }

    /// <summary>Completed stages, reading the older <see cref="PromptsLearned"/> flag too.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> StagesDone => CompletedStages ?? (PromptsLearned ? ["prompts"] : []);
}
