namespace ReId.Training.Sampling;

/// <summary>Resumable iteration over an <see cref="IBatchSampler"/>.</summary>
public static class BatchSamplerExtensions
{
    /// <summary>
    /// The remaining batches of <paramref name="start"/>'s epoch from its batch index on, each with the position that
    /// follows it (what a checkpoint written after that batch must store to resume exactly).
    /// </summary>
    public static IEnumerable<(int[] Batch, SamplerPosition Next)> RemainingBatches(this IBatchSampler sampler, SamplerPosition start)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (start.Epoch < 0 || start.Batch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, "Sampler position must have a non-negative epoch and batch index.");
        }

        var batches = sampler.EpochBatches(start.Epoch);
        if (start.Batch > batches.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Epoch {start.Epoch} has only {batches.Count} batches.");
        }

        for (int b = start.Batch; b < batches.Count; b++)
        {
            yield return (batches[b], new SamplerPosition(start.Epoch, b + 1));
        }
    }
}
