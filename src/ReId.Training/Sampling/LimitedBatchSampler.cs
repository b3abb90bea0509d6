namespace ReId.Training.Sampling;

/// <summary>Caps the batches of each epoch of another sampler (0 = no cap), keeping its order; used for short CPU runs.</summary>
public sealed class LimitedBatchSampler(IBatchSampler inner, int maxBatchesPerEpoch) : IBatchSampler
{
    public int BatchSize => inner.BatchSize;

    public IReadOnlyList<int[]> EpochBatches(int epoch)
    {
        var all = inner.EpochBatches(epoch);
        return maxBatchesPerEpoch > 0 && all.Count > maxBatchesPerEpoch ? [.. all.Take(maxBatchesPerEpoch)] : all;
    }
}
