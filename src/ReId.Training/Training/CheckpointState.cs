namespace ReId.Training.Training;

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
    /// <summary>CLIP-ReID: stage 1 (prompt learning) is done and the prompts in the weights are final.</summary>
    public bool PromptsLearned { get; init; }
}
