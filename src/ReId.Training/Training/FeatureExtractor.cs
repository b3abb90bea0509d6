using ReId.MLNet.Data;
using ReId.MLNet.Evaluation;
using ReId.Training.Augmentation;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Training;

/// <summary>Embeds images with a TorchSharp image model (ReID model or CLIP encoder) in eval mode (resize + normalise, batched, decoded on worker threads); rows are L2-normalised.</summary>
public static class FeatureExtractor
{
    public static float[] Embed(TorchSharp.torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<ReIdSample> samples, AugmentationOptions options,
        int batchSize = 64, int workers = 2, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        if (samples.Count == 0) return [];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var loader = new BatchLoader(samples, new SequentialBatchSampler(samples.Count, batchSize), AugmentationPipeline.ForEvaluation(options),
                new BatchLoaderOptions { Workers = workers, Prefetch = 2, CacheDecodedImages = false });
            float[]? result = null;
            int dim = 0, row = 0;
            using var noGrad = no_grad();
            foreach (var batch in loader.Batches(new SamplerPosition(0, 0)))
            {
                using var scope = NewDisposeScope();
                var f = model.forward(batch.ImagesTensor()).contiguous();
                dim = (int)f.shape[1];
                result ??= new float[(long)samples.Count * dim];
                f.data<float>().CopyTo(result.AsSpan(row * dim, batch.Count * dim));
                row += batch.Count;
                progress?.Report((row, samples.Count));
                cancellationToken.ThrowIfCancellationRequested();
            }
            DistanceMatrix.NormalizeRows(result!, dim);
            return result!;
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
