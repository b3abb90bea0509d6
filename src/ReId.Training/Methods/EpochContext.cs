using ReId.MLNet.Data.Datasets;

namespace ReId.Training.Methods;

/// <summary>What an epoch hook sees: the epoch, whether it resumes half-way, the dataset, and a place for extra figures.</summary>
/// <param name="Epoch">1-based epoch of the main loop.</param>
/// <param name="ResumedMidEpoch">True when training resumes inside this epoch: state a start-of-epoch hook computed is already in the checkpoint.</param>
/// <param name="Dataset">The dataset (training split with trainer labels).</param>
/// <param name="CancellationToken">Stops long hooks.</param>
public sealed record EpochContext(int Epoch, bool ResumedMidEpoch, ReIdDataset Dataset, CancellationToken CancellationToken)
{
    /// <summary>Extra per-epoch figures (for example association precision); written to metrics.csv and metrics.json.</summary>
    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);
}
