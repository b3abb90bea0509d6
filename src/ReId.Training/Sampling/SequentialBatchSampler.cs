namespace ReId.Training.Sampling;

/// <summary>Fixed, in-order batches over all samples (for feature extraction): every epoch is the same.</summary>
public sealed class SequentialBatchSampler(int count, int batchSize) : IBatchSampler
{
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));

    public IReadOnlyList<int[]> EpochBatches(int epoch) =>
        [.. Enumerable.Range(0, (count + BatchSize - 1) / BatchSize).Select(b => Enumerable.Range(b * BatchSize, Math.Min(BatchSize, count - b * BatchSize)).ToArray())];
}
