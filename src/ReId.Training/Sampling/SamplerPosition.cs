namespace ReId.Training.Sampling;

/// <summary>Where a sampler stands: the epoch and the index of the next batch in it. Saved in checkpoints for exact resume.</summary>
/// <param name="Epoch">0-based epoch number.</param>
/// <param name="Batch">0-based index of the next batch to yield within <paramref name="Epoch"/>.</param>
public readonly record struct SamplerPosition(int Epoch, int Batch);
