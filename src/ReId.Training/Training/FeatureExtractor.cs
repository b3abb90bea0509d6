using ReId.MLNet.Data;
using ReId.MLNet.Evaluation;
using ReId.Training.Augmentation;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Training;

/// <summary>
/// Embeds images with a TorchSharp image model (ReID model or CLIP encoder) in eval mode (resize + normalise, batched,
/// decoded on worker threads); rows are L2-normalised. <see cref="EmbedWithOnnxRuntime"/> runs the same model exported
/// to ONNX instead, which is several times faster on CPUs for CNNs.
/// </summary>
public static class FeatureExtractor
{
    /// <summary>
    /// Exports <paramref name="model"/> (eval mode) to an in-memory ONNX graph and embeds with ONNX Runtime on all cores;
    /// preprocessing is the same as <see cref="Embed"/>, so the result differs only by float rounding.
    /// </summary>
    public static float[] EmbedWithOnnxRuntime(TorchSharp.torch.nn.Module<Tensor, Tensor> model, int embeddingSize, IReadOnlyList<ReIdSample> samples,
        AugmentationOptions options, int batchSize = 64, int workers = 2, CancellationToken cancellationToken = default)
    {
        if (samples.Count == 0) return [];
        if (model is not Onnx.IOnnxExportable exportable)
            throw new ArgumentException($"{model.GetType().Name} cannot be exported to ONNX.", nameof(model));
        bool wasTraining = model.training;
        model.eval();
        byte[] graph;
        try { graph = Onnx.OnnxExporter.Export(exportable, options.Height, options.Width, embeddingSize); }
        finally { if (wasTraining) model.train(); }
        using var session = ReId.MLNet.Onnx.OnnxSessionFactory.Create(graph);
        var result = new float[(long)samples.Count * embeddingSize];
        int row = 0;
        foreach (var batch in Batches(samples, options, batchSize, workers, cancellationToken))
        {
            var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(batch.Images, [batch.Count, 3, options.Height, options.Width]);
            using var outputs = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(Onnx.OnnxExporter.InputName, input)]);
            var values = outputs.First().AsTensor<float>();
            int n = batch.Count * embeddingSize;
            if (values.Length != n)
                throw new InvalidOperationException($"The exported model gave {values.Length} values for {batch.Count} images; expected {n}.");
            var dense = values as Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float> ?? values.ToDenseTensor();
            dense.Buffer.Span.CopyTo(result.AsSpan(row * embeddingSize, n));
            row += batch.Count;
        }
        DistanceMatrix.NormalizeRows(result, embeddingSize);
        return result;
    }

    public static float[] Embed(TorchSharp.torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<ReIdSample> samples, AugmentationOptions options,
        int batchSize = 64, int workers = 2, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        if (samples.Count == 0) return [];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            float[]? result = null;
            int dim = 0, row = 0;
            using var noGrad = no_grad();
            foreach (var batch in Batches(samples, options, batchSize, workers, cancellationToken))
            {
                using var scope = NewDisposeScope();
                var f = model.forward(batch.ImagesTensor()).contiguous();
                dim = (int)f.shape[1];
                result ??= new float[(long)samples.Count * dim];
                f.data<float>().CopyTo(result.AsSpan(row * dim, batch.Count * dim));
                row += batch.Count;
                progress?.Report((row, samples.Count));
            }
            DistanceMatrix.NormalizeRows(result!, dim);
            return result!;
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>The samples in order, decoded, resized and normalised (no augmentation) on worker threads, in batches.</summary>
    public static IEnumerable<LoadedBatch> Batches(IReadOnlyList<ReIdSample> samples, AugmentationOptions options, int batchSize = 64, int workers = 2,
        CancellationToken cancellationToken = default)
    {
        var loader = new BatchLoader(samples, new SequentialBatchSampler(samples.Count, batchSize), AugmentationPipeline.ForEvaluation(options),
            new BatchLoaderOptions { Workers = workers, Prefetch = 2, CacheDecodedImages = false });
        return loader.Batches(new SamplerPosition(0, 0), cancellationToken);
    }
}
