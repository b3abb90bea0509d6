namespace ReId.Training.Augmentation;

/// <summary>Settings of <see cref="BatchLoader"/>.</summary>
public sealed class BatchLoaderOptions
{
    /// <summary>Threads decoding and augmenting the images of a batch.</summary>
    public int Workers { get; set; } = 2;
    /// <summary>Batches prepared ahead of the consumer.</summary>
    public int Prefetch { get; set; } = 4;
    /// <summary>Run seed; each sample's augmentation RNG derives from (seed, epoch, batch, position).</summary>
    public long Seed { get; set; } = 1;
    /// <summary>Keep decoded, resized images in memory (worth it for small datasets).</summary>
    public bool CacheDecodedImages { get; set; } = true;
}
