namespace ReId.Training.Sampling;

/// <summary>Produces the batches (indices into the training sample list) of each epoch, deterministically from a seed.</summary>
public interface IBatchSampler
{
    /// <summary>Number of images in every batch.</summary>
    int BatchSize { get; }

    /// <summary>All batches of <paramref name="epoch"/>, in order; the same epoch always gives the same batches.</summary>
    IReadOnlyList<int[]> EpochBatches(int epoch);
}
