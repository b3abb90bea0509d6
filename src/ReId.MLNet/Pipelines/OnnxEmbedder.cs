using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Image;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// Batched embedding for large jobs: images are decoded, resized and turned into pixels in parallel by the
/// same ML.NET image stages <c>ReIdEmbed</c> uses (so the numbers are identical), then the model runs on
/// batches [B, 3, H, W] in one ONNX Runtime session. <c>OnnxTransformer</c> runs one row at a time; this does not.
/// </summary>
public sealed class OnnxEmbedder : IDisposable
{
    private const string PixelsName = "reid_pixels";
    private const string OutputName = "reid_embedding";
    private const string PathColumn = "Path";
    private const string PixelsColumn = "Pixels";

    private readonly InferenceSession _session;
    private readonly ITransformer _preprocess;
    private readonly MLContext _ml;
    private readonly ImageModelSpec _spec;

    /// <summary>Loads the model from a package folder/json or a raw .onnx file (then give size, mean and std in <paramref name="options"/>).</summary>
    public OnnxEmbedder(string modelPath, ReIdEmbedOptions? options = null, int batchSize = 32)
        : this(WithPath(modelPath, options), batchSize)
    {
    }

    /// <summary>Loads the model named by <see cref="ReIdEmbedOptions.ModelPath"/> or <see cref="ReIdEmbedOptions.ModelPackage"/>.</summary>
    public OnnxEmbedder(ReIdEmbedOptions options, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
        _spec = ImageModelSpec.Resolve(options, nameof(ReIdEmbedOptions));
        byte[] model = OnnxModelRewriter.Wrap(
            _spec.Model, _spec.InputName, PixelsName, ["batch", 3, _spec.InputHeight, _spec.InputWidth],
            _spec.ChannelScale, _spec.ChannelShift, [(_spec.OutputName, OutputName, _spec.EmbeddingSize)], _spec.Source, batchOfOne: false);
        _session = CreateSession(model, options.GpuDeviceId, options.FallbackToCpu);
        var outputDims = _session.OutputMetadata[OutputName].Dimensions;
        if (outputDims.Length < 2 || outputDims[^1] <= 0)
            throw new InvalidDataException($"ONNX model '{_spec.Source}': output '{_spec.OutputName}' must have a fixed last dimension (the embedding size).");
        EmbeddingSize = outputDims.Skip(1).Aggregate(1, (a, d) => a * d);

        // The fitted ML.NET image stages hold no per-row state, so one transformer serves all threads.
        _ml = new MLContext();
        var schemaOnly = _ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        _preprocess = _ml.Transforms.LoadImages("Image", options.ImageFolder, PathColumn)
            .Append(_ml.Transforms.ResizeImages("Resized", _spec.InputWidth, _spec.InputHeight, "Image", ImageResizeModes.ToMl(_spec.Resize)))
            .Append(_ml.Transforms.ExtractPixels(PixelsColumn, "Resized", ImagePixelExtractingEstimator.ColorBits.Rgb,
                _spec.Bgr ? ImagePixelExtractingEstimator.ColorsOrder.ABGR : ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: 1f, outputAsFloatArray: true))
            .Fit(schemaOnly);
    }

    /// <summary>Images per ONNX Runtime call.</summary>
    public int BatchSize { get; }

    /// <summary>Length of one embedding.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Model input height.</summary>
    public int InputHeight => _spec.InputHeight;

    /// <summary>Model input width.</summary>
    public int InputWidth => _spec.InputWidth;

    /// <summary>Whether embeddings are L2-normalised.</summary>
    public bool NormalizeOutput => _spec.NormalizeOutput;

    /// <summary>Embeds the images (paths absolute or relative to the image folder); returns N×<see cref="EmbeddingSize"/> row-major.</summary>
    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        int n = imagePaths.Count;
        var result = new float[(long)n * EmbeddingSize];
        int pixelsPerImage = 3 * _spec.InputHeight * _spec.InputWidth;
        var buffer = new float[(long)Math.Min(BatchSize, Math.Max(n, 1)) * pixelsPerImage];
        long done = 0;
        for (int start = 0; start < n; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(BatchSize, n - start);
            LoadPixels(imagePaths, start, count, buffer, pixelsPerImage);
            RunBatch(buffer.AsMemory(0, count * pixelsPerImage), count, result.AsSpan(start * EmbeddingSize, count * EmbeddingSize));
            done += count;
            progress?.Report((done, n));
        }
        return result;
    }

    private void LoadPixels(IReadOnlyList<string> paths, int start, int count, float[] buffer, int pixelsPerImage)
    {
        int workers = Math.Clamp(Environment.ProcessorCount, 1, count);
        Parallel.For(0, workers, w =>
        {
            int from = start + (int)((long)count * w / workers);
            int to = start + (int)((long)count * (w + 1) / workers);
            var rows = new PathRow[to - from];
            for (int i = 0; i < rows.Length; i++)
                rows[i] = new PathRow { Path = paths[from + i] };
            var view = _preprocess.Transform(_ml.Data.LoadFromEnumerable(rows));
            using var cursor = view.GetRowCursor([view.Schema[PixelsColumn]]);
            var getter = cursor.GetGetter<VBuffer<float>>(view.Schema[PixelsColumn]);
            VBuffer<float> pixels = default;
            int index = from - start;
            while (cursor.MoveNext())
            {
                getter(ref pixels);
                var target = buffer.AsSpan(index * pixelsPerImage, pixelsPerImage);
                if (pixels.IsDense)
                    pixels.GetValues().CopyTo(target);
                else
                    pixels.CopyTo(target);
                index++;
            }
        });
    }

    private void RunBatch(Memory<float> pixels, int count, Span<float> output)
    {
        var tensor = new DenseTensor<float>(pixels, [count, 3, _spec.InputHeight, _spec.InputWidth]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(PixelsName, tensor)], [OutputName]);
        var values = results[0].AsTensor<float>();
        if (values.Length != (long)count * EmbeddingSize)
            throw new InvalidDataException($"ONNX model '{_spec.Source}' returned {values.Length} values for {count} images; {EmbeddingSize} per image were expected.");
        if (values is DenseTensor<float> dense)
            dense.Buffer.Span.CopyTo(output);
        else
            values.ToArray().CopyTo(output);
        if (!_spec.NormalizeOutput)
            return;
        for (int i = 0; i < count; i++)
        {
            var row = output.Slice(i * EmbeddingSize, EmbeddingSize);
            float norm = TensorPrimitives.Norm(row);
            // ML.NET's NormalizeLpNorm leaves an all-zero vector as it is; so do we.
            if (norm > 0)
                TensorPrimitives.Divide(row, norm, row);
        }
    }

    private static InferenceSession CreateSession(byte[] model, int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is { } device)
        {
            try
            {
                using var gpuOptions = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                return new InferenceSession(model, gpuOptions);
            }
            catch (Exception ex) when (fallbackToCpu && ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // No CUDA build or device here: run on CPU as asked.
            }
        }
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(model, options);
    }

    private static ReIdEmbedOptions WithPath(string modelPath, ReIdEmbedOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var copy = (options ?? new ReIdEmbedOptions()).Clone();
        copy.ModelPath = modelPath;
        copy.ModelPackage = null;
        return copy;
    }

    public void Dispose() => _session.Dispose();

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }
}
