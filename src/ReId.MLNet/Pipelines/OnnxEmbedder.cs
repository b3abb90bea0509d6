using ReId.MLNet.Data;
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
/// A model with camera (view) embeddings is fed each image's camera (view) position from the package's id list.
/// </summary>
public sealed class OnnxEmbedder : IImageEmbedder
{
    private const string PixelsName = "reid_pixels";
    private const string OutputName = "reid_embedding";
    private const string CamerasName = "reid_cameras";
    private const string ViewsName = "reid_views";
    private const string PathColumn = "Path";
    private const string PixelsColumn = "Pixels";

    private readonly InferenceSession _session;
    private readonly ITransformer _preprocess;
    private readonly MLContext _ml;
    private readonly ImageModelSpec _spec;
    private readonly string? _imageFolder;

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
        _imageFolder = options.ImageFolder;
        _spec = ImageModelSpec.Resolve(options, nameof(ReIdEmbedOptions));
        byte[] model = OnnxModelRewriter.Wrap(
            _spec.Model, _spec.InputName, PixelsName, ["batch", 3, _spec.InputHeight, _spec.InputWidth],
            _spec.ChannelScale, _spec.ChannelShift, [(_spec.OutputName, OutputName, _spec.EmbeddingSize)], _spec.Source, batchOfOne: false,
            idInputs: [.. _spec.IdInputs.Select(i => (i.Input, i.What == "camera" ? CamerasName : ViewsName))]);
        _session = CreateSession(model, options);
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

    /// <summary>Time spent decoding, resizing and extracting pixels so far.</summary>
    public TimeSpan PreprocessTime { get; private set; }

    /// <summary>Time spent in ONNX Runtime so far.</summary>
    public TimeSpan InferenceTime { get; private set; }

    /// <summary>Length of one embedding.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Model input height.</summary>
    public int InputHeight => _spec.InputHeight;

    /// <summary>Model input width.</summary>
    public int InputWidth => _spec.InputWidth;

    /// <summary>Whether embeddings are L2-normalised.</summary>
    public bool NormalizeOutput => _spec.NormalizeOutput;

    /// <summary>Whether the model needs each image's camera id.</summary>
    public bool UsesCameras => _spec.CameraInputName is not null;

    /// <summary>Whether the model needs each image's view id.</summary>
    public bool UsesViews => _spec.ViewInputName is not null;

    /// <summary>Embeds the images (paths absolute or relative to the image folder); returns N×<see cref="EmbeddingSize"/> row-major.</summary>
    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Embed(imagePaths, null, null, progress, cancellationToken);

    /// <summary>Embeds the images with their dataset camera and view ids (needed when the model uses them, ignored otherwise).</summary>
    public float[] Embed(IReadOnlyList<string> imagePaths, IReadOnlyList<int>? cameras, IReadOnlyList<int>? views,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        EmbedderIds.Require(UsesCameras, cameras, imagePaths.Count, "camera", _spec.Source);
        EmbedderIds.Require(UsesViews, views, imagePaths.Count, "view", _spec.Source);
        var feeds = new List<(string Name, long[] Values)>();
        if (UsesCameras) feeds.Add((CamerasName, EmbedderIds.Feed(_spec.CameraIds!, cameras!)));
        if (UsesViews) feeds.Add((ViewsName, EmbedderIds.Feed(_spec.ViewIds!, views!)));
        try
        {
            return EmbedCore(imagePaths, feeds, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ImageFailure.Explain(ex, imagePaths, _imageFolder);
        }
    }

    /// <summary>
    /// Embeds the image-path column of an <see cref="IDataView"/> in batches (on the CUDA device when
    /// <see cref="ReIdEmbedOptions.GpuDeviceId"/> is set): the batched counterpart of <c>ReIdEmbed</c> for ML.NET users whose
    /// one-row-per-call <c>ApplyOnnxModel</c> would starve a GPU. Returns a data view with the path column and a
    /// <paramref name="outputColumnName"/> vector column (the same values as <c>ReIdEmbed</c>), in the input's row order;
    /// other columns are not carried over (join on the path column when they are needed).
    /// </summary>
    public IDataView EmbedDataView(MLContext mlContext, IDataView input, string outputColumnName = ReIdColumnNames.Features, string inputColumnName = ReIdColumnNames.ImagePath,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (outputColumnName == inputColumnName)
            throw new ArgumentException($"the output column '{outputColumnName}' must differ from the image-path column", nameof(outputColumnName));
        var column = input.Schema.GetColumnOrNull(inputColumnName)
            ?? throw new ArgumentException($"the data view has no column '{inputColumnName}' (image paths were expected there)", nameof(inputColumnName));
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"column '{inputColumnName}' holds {column.Type}; image paths (text) were expected", nameof(inputColumnName));
        if (UsesCameras || UsesViews)
            throw new ArgumentException("this model needs each image's camera (view): EmbedDataView takes image paths only; use ReIdEmbed with ReIdEmbedOptions.CameraColumnName", nameof(input));
        string[] paths = [.. input.GetColumn<string>(inputColumnName)];
        float[] embeddings = Embed(paths, progress, cancellationToken);
        var rows = new EmbeddingRow[paths.Length];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new EmbeddingRow { Path = paths[i], Embedding = embeddings.AsSpan(i * EmbeddingSize, EmbeddingSize).ToArray() };
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(EmbeddingRow));
        schema[nameof(EmbeddingRow.Path)].ColumnName = inputColumnName;
        schema[nameof(EmbeddingRow.Embedding)].ColumnName = outputColumnName;
        schema[outputColumnName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, EmbeddingSize);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class EmbeddingRow
    {
        public string Path { get; set; } = "";
        public float[] Embedding { get; set; } = [];
    }

    private float[] EmbedCore(IReadOnlyList<string> imagePaths, List<(string Name, long[] Values)> idFeeds, IProgress<(long Done, long Total)>? progress,
        CancellationToken cancellationToken)
    {
        int n = imagePaths.Count;
        var result = new float[(long)n * EmbeddingSize];
        if (n == 0)
            return result;
        int pixelsPerImage = 3 * _spec.InputHeight * _spec.InputWidth;
        int batch = Math.Min(BatchSize, n);
        int workers = Math.Clamp(Environment.ProcessorCount, 1, batch);
        // One ML.NET cursor per worker for the whole job (creating data views per batch costs more than the
        // decoding); worker w takes the w-th slice of every batch, so its rows arrive in a known order.
        var readers = new PixelReader[workers];
        try
        {
            for (int w = 0; w < workers; w++)
                readers[w] = new PixelReader(this, WorkerPaths(imagePaths, batch, workers, w));
            // Two buffers: ONNX Runtime runs on one batch while the workers decode the next.
            float[][] buffers = [new float[(long)batch * pixelsPerImage], new float[(long)batch * pixelsPerImage]];
            Task inference = Task.CompletedTask;
            long done = 0;
            for (int start = 0, b = 0; start < n; start += batch, b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batch, n - start);
                float[] buffer = buffers[b % 2];
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                Parallel.For(0, workers, w =>
                {
                    var (from, to) = Slice(count, workers, w);
                    readers[w].Read(to - from, buffer.AsSpan(from * pixelsPerImage, (to - from) * pixelsPerImage), pixelsPerImage);
                });
                PreprocessTime += System.Diagnostics.Stopwatch.GetElapsedTime(t0);
                inference.GetAwaiter().GetResult();
                int batchStart = start;
                inference = Task.Run(() =>
                {
                    long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
                    RunBatch(buffer.AsMemory(0, count * pixelsPerImage), idFeeds, batchStart, count, result.AsSpan(batchStart * EmbeddingSize, count * EmbeddingSize));
                    InferenceTime += System.Diagnostics.Stopwatch.GetElapsedTime(t1);
                    progress?.Report((Interlocked.Add(ref done, count), n));
                }, cancellationToken);
            }
            inference.GetAwaiter().GetResult();
        }
        finally
        {
            foreach (var reader in readers)
                reader?.Dispose();
        }
        return result;
    }

    private static (int From, int To) Slice(int count, int workers, int w) =>
        ((int)((long)count * w / workers), (int)((long)count * (w + 1) / workers));

    private static IEnumerable<PathRow> WorkerPaths(IReadOnlyList<string> paths, int batch, int workers, int w)
    {
        for (int start = 0; start < paths.Count; start += batch)
        {
            var (from, to) = Slice(Math.Min(batch, paths.Count - start), workers, w);
            for (int i = start + from; i < start + to; i++)
                yield return new PathRow { Path = paths[i] };
        }
    }

    /// <summary>A worker's cursor over the ML.NET image stages, read a few rows at a time.</summary>
    private sealed class PixelReader : IDisposable
    {
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>> _getter;
        private VBuffer<float> _pixels;

        public PixelReader(OnnxEmbedder owner, IEnumerable<PathRow> rows)
        {
            var view = owner._preprocess.Transform(owner._ml.Data.LoadFromEnumerable(rows));
            var column = view.Schema[PixelsColumn];
            _cursor = view.GetRowCursor([column]);
            _getter = _cursor.GetGetter<VBuffer<float>>(column);
        }

        public void Read(int count, Span<float> target, int pixelsPerImage)
        {
            for (int i = 0; i < count; i++)
            {
                if (!_cursor.MoveNext())
                    throw new InvalidOperationException("The image cursor ended before all images were read.");
                _getter(ref _pixels);
                var slot = target.Slice(i * pixelsPerImage, pixelsPerImage);
                if (_pixels.IsDense)
                    _pixels.GetValues().CopyTo(slot);
                else
                    _pixels.CopyTo(slot);
            }
        }

        public void Dispose() => _cursor.Dispose();
    }

    private void RunBatch(Memory<float> pixels, List<(string Name, long[] Values)> idFeeds, int start, int count, Span<float> output)
    {
        var tensor = new DenseTensor<float>(pixels, [count, 3, _spec.InputHeight, _spec.InputWidth]);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(PixelsName, tensor) };
        foreach (var (name, positions) in idFeeds)
            inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(positions.AsMemory(start, count), [count])));
        using var results = _session.Run(inputs, [OutputName]);
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

    // ONNX Runtime's threads spin after each run by default, taking the cores the image decoders need.
    private static InferenceSession CreateSession(byte[] model, ReIdEmbedOptions options) =>
        OnnxSessionFactory.Create(model, new OnnxSessionOptions
        {
            GpuDeviceId = options.GpuDeviceId, FallbackToCpu = options.FallbackToCpu, IntraOpThreads = options.IntraOpThreads, AllowSpinning = false,
        });

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
