using ReId.MLNet.Data;
using ReId.MLNet.Evaluation;
using ReId.Training.Augmentation;
using ReId.Training.Models;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Training;

/// <summary>Embeds images with a TorchSharp ReID model in eval mode (resize + normalise, batched, decoded on worker threads); rows are L2-normalised.</summary>
public static class FeatureExtractor
{
    public static float[] Embed(ReIdModel model, IReadOnlyList<ReIdSample> samples, AugmentationOptions options, int batchSize = 64, int workers = 2)
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
