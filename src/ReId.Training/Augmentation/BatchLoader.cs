using System.Collections.Concurrent;
using System.Threading.Channels;
using ReId.MLNet.Data;
using ReId.Training.Sampling;

namespace ReId.Training.Augmentation;

/// <summary>
/// Turns a sampler's batches into ready float batches on background threads, a bounded number of batches ahead, so
/// decoding and augmentation overlap with the training step. The output depends only on the seed and the sampler
/// position, never on thread timing: batches come out in sampler order and every sample uses its own RNG seeded from
/// (seed, epoch, batch, position in batch).
/// </summary>
public sealed class BatchLoader
{
    private readonly IReadOnlyList<ReIdSample> _samples;
    private readonly ConcurrentDictionary<int, byte[]> _cache = new();

    public BatchLoader(IReadOnlyList<ReIdSample> samples, IBatchSampler sampler, AugmentationPipeline pipeline, BatchLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new BatchLoaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Prefetch, 1);
        _samples = samples;
        Sampler = sampler;
        Pipeline = pipeline;
        Options = options;
    }

    public IBatchSampler Sampler { get; }
    public AugmentationPipeline Pipeline { get; }
    public BatchLoaderOptions Options { get; }

    /// <summary>The batches from <paramref name="start"/> to the end of its epoch, prepared in the background.</summary>
    public IEnumerable<LoadedBatch> Batches(SamplerPosition start, CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<LoadedBatch>(new BoundedChannelOptions(Options.Prefetch)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var (batch, next) in Sampler.RemainingBatches(start))
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var loaded = Load(batch, start.Epoch, next.Batch - 1, next);
                    await channel.Writer.WriteAsync(loaded, stop.Token).ConfigureAwait(false);
                }

                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        });

        try
        {
            while (true)
            {
                LoadedBatch? item;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    channel.Reader.TryRead(out item);
                }
                catch (ChannelClosedException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }

                if (item is not null)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            // The consumer may stop early (break, exception): stop the producer and wait so no work outlives us.
            stop.Cancel();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
            }
        }
    }

    /// <summary>Decodes and augments one batch (in parallel over its samples).</summary>
    public LoadedBatch Load(int[] indices, int epoch, int batchIndex, SamplerPosition next)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int size = Pipeline.ImageSize;
        var images = new float[indices.Length * size];
        var labels = new int[indices.Length];
        var cameras = new int[indices.Length];
        try
        {
            Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.Workers }, i => LoadOne(indices, epoch, batchIndex, i, images, labels, cameras));
        }
        catch (AggregateException ex)
        {
            // Surface the first real error (e.g. the missing file) rather than the parallel wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.Flatten().InnerExceptions[0]).Throw();
        }

        return new LoadedBatch(images, labels, cameras, [.. indices], Pipeline.Height, Pipeline.Width, next);
    }

    private void LoadOne(int[] indices, int epoch, int batchIndex, int i, float[] images, int[] labels, int[] cameras)
    {
        int size = Pipeline.ImageSize;
        var sample = _samples[indices[i]];
        labels[i] = sample.Label;
        cameras[i] = sample.Camera;
        var rgb = Decode(indices[i]);
        var rng = DeterministicSeed.Create(Options.Seed, epoch, batchIndex, i);
        Pipeline.Process(rgb, rng, images.AsSpan(i * size, size));
    }

    private byte[] Decode(int index)
    {
        if (Options.CacheDecodedImages && _cache.TryGetValue(index, out var cached))
        {
            return cached;
        }

        var rgb = ImageDecoder.DecodeResized(_samples[index].ImagePath, Pipeline.Height, Pipeline.Width, Pipeline.Interpolation);
        if (Options.CacheDecodedImages)
        {
            _cache[index] = rgb;
        }

        return rgb;
    }
}
