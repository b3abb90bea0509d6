using ReId.MLNet.Data;
using ReId.MLNet.Evaluation;
using ReId.Training.Augmentation;
using ReId.Training.Models;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Engine;

/// <summary>
/// Embeds images with a TorchSharp image model (ReID model or CLIP encoder) in eval mode (resize + normalise, batched,
/// decoded on worker threads); rows are L2-normalised. <see cref="EmbedWithOnnxRuntime"/> runs the same model exported
/// to ONNX instead, which is several times faster on CPUs for CNNs. Models with camera (view) embeddings are given each
/// image's camera (view) position through the optional <c>cameraIndex</c> (<c>viewIndex</c>) functions.
/// </summary>
public static class FeatureExtractor
{
    /// <summary>
    /// Exports <paramref name="model"/> (eval mode) to an in-memory ONNX graph and embeds with ONNX Runtime on all cores;
    /// preprocessing is the same as <see cref="Embed"/>, so the result differs only by float rounding.
    /// </summary>
    /// <param name="cameraIndex">
    /// Each sample's camera position (its camera id's index in the sorted training ids, −1 when unknown); offered to the
    /// export as the camera input and fed when the exported model reads it. Null: images only.
    /// </param>
    /// <param name="viewIndex">Each sample's view position, likewise.</param>
    public static float[] EmbedWithOnnxRuntime(TorchSharp.torch.nn.Module<Tensor, Tensor> model, int embeddingSize, IReadOnlyList<ReIdSample> samples,
        AugmentationOptions options, int batchSize = 64, int workers = 2, CancellationToken cancellationToken = default,
        Func<ReIdSample, long>? cameraIndex = null, Func<ReIdSample, long>? viewIndex = null)
    {
        if (samples.Count == 0) return [];
        if (model is not Onnx.IOnnxExportable exportable)
            throw new ArgumentException($"{model.GetType().Name} cannot be exported to ONNX.", nameof(model));
        bool wasTraining = model.training;
        model.eval();
        byte[] graph;
        try { graph = Onnx.OnnxExporter.Export(exportable, options.Height, options.Width, embeddingSize, cameraInput: cameraIndex is not null, viewInput: viewIndex is not null); }
        finally { if (wasTraining) model.train(); }
        var idFeeds = new List<(string Name, Func<ReIdSample, long> Index)>();
        if (cameraIndex is not null && Onnx.OnnxExporter.HasInput(graph, Onnx.OnnxExporter.CameraInputName))
            idFeeds.Add((Onnx.OnnxExporter.CameraInputName, cameraIndex));
        if (viewIndex is not null && Onnx.OnnxExporter.HasInput(graph, Onnx.OnnxExporter.ViewInputName))
            idFeeds.Add((Onnx.OnnxExporter.ViewInputName, viewIndex));
        using var session = ReId.MLNet.Onnx.OnnxSessionFactory.Create(graph);
        var result = new float[(long)samples.Count * embeddingSize];
        int row = 0;
        foreach (var batch in Batches(samples, options, batchSize, workers, cancellationToken))
        {
            var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(batch.Images, [batch.Count, 3, options.Height, options.Width]);
            var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue> { Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(Onnx.OnnxExporter.InputName, input) };
            foreach (var (name, index) in idFeeds)
            {
                var positions = batch.Indices.Select(i => index(samples[i])).ToArray();
                inputs.Add(Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(positions, [batch.Count])));
            }
            using var outputs = session.Run(inputs);
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

    /// <summary>Embeds the samples with the TorchSharp model in eval mode; rows are L2-normalised.</summary>
    /// <param name="cameraIndex">
    /// Each sample's camera position; when given (or <paramref name="viewIndex"/> is), the model must be an
    /// <see cref="ISideInformationModule"/> and receives the positions of each batch.
    /// </param>
    /// <param name="viewIndex">Each sample's view position.</param>
    public static float[] Embed(TorchSharp.torch.nn.Module<Tensor, Tensor> model, IReadOnlyList<ReIdSample> samples, AugmentationOptions options,
        int batchSize = 64, int workers = 2, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default,
        Func<ReIdSample, long>? cameraIndex = null, Func<ReIdSample, long>? viewIndex = null)
    {
        if (samples.Count == 0) return [];
        var sideInformation = model as ISideInformationModule;
        if ((cameraIndex is not null || viewIndex is not null) && sideInformation is null)
            throw new ArgumentException($"{model.GetType().Name} does not take camera or view positions (it is not an {nameof(ISideInformationModule)}); embed it without them.", nameof(model));
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
                var images = batch.ImagesTensor();
                var f = (cameraIndex is null && viewIndex is null
                    ? model.forward(images)
                    : sideInformation!.forward(images, Positions(batch, samples, cameraIndex), Positions(batch, samples, viewIndex))).contiguous();
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

    private static Tensor? Positions(LoadedBatch batch, IReadOnlyList<ReIdSample> samples, Func<ReIdSample, long>? index) =>
        index is null ? null : tensor(batch.Indices.Select(i => index(samples[i])).ToArray());

    /// <summary>The samples in order, decoded, resized and normalised (no augmentation) on worker threads, in batches.</summary>
    public static IEnumerable<LoadedBatch> Batches(IReadOnlyList<ReIdSample> samples, AugmentationOptions options, int batchSize = 64, int workers = 2,
        CancellationToken cancellationToken = default)
    {
        var loader = new BatchLoader(samples, new SequentialBatchSampler(samples.Count, batchSize), AugmentationPipeline.ForEvaluation(options),
            new BatchLoaderOptions { Workers = workers, Prefetch = 2, CacheDecodedImages = false });
        return loader.Batches(new SamplerPosition(0, 0), cancellationToken);
    }
}
