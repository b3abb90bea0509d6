using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// Image → ONNX model stage built only from ML.NET's public stages (LoadImages → ResizeImages → ExtractPixels →
/// ApplyOnnxModel → NormalizeLpNorm/CopyColumns → DropColumns), so the fitted <see cref="TransformerChain{T}"/>
/// saves into and loads from a .zip natively. The chain is assembled when the input schema is known, because
/// a column of image paths needs LoadImages and a column of loaded images does not. A model with camera or view
/// embeddings also gets ConvertType (any integer id → int64) and MapValue (id → position + 1) stages in front of its
/// id inputs, so the id lists travel inside the .zip as well.
/// </summary>
internal sealed class ImageModelEstimator : IEstimator<ITransformer>
{
    private readonly TransformsCatalog _catalog;
    private readonly string _inputColumn;
    private readonly string? _imageFolder;
    private readonly ImageModelSpec _spec;
    private readonly IReadOnlyList<ImageModelOutput> _outputs;
    private readonly int? _gpuDeviceId;
    private readonly bool _fallbackToCpu;
    private readonly string _prefix;
    private readonly byte[] _modelBytes;
    private readonly List<IdInput> _idInputs = [];
    private readonly Dictionary<bool, IEstimator<ITransformer>> _chains = [];

    public ImageModelEstimator(
        TransformsCatalog catalog, string inputColumn, string? imageFolder, ImageModelSpec spec,
        IReadOnlyList<ImageModelOutput> outputs, int? gpuDeviceId, bool fallbackToCpu, string? cameraColumn = null, string? viewColumn = null)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumn);
        _inputColumn = inputColumn;
        _imageFolder = imageFolder;
        _spec = spec;
        _outputs = outputs;
        _gpuDeviceId = OnnxDevices.Resolve(gpuDeviceId, fallbackToCpu);
        _fallbackToCpu = fallbackToCpu;
        // Intermediate columns are named after the first output so two such stages in one pipeline do not clash.
        _prefix = $"__{outputs[0].Column}";
        foreach (var (modelInput, ids, what) in spec.IdInputs)
        {
            string option = what == "camera" ? nameof(ReIdEmbedOptions.CameraColumnName) : nameof(ReIdEmbedOptions.ViewColumnName);
            string column = (what == "camera" ? cameraColumn : viewColumn)
                ?? throw new ArgumentException(
                    $"Model '{spec.Source}' takes each image's {what} (input '{modelInput}', trained on {what} ids {string.Join(", ", ids.Ids)}); " +
                    $"set {nameof(ReIdEmbedOptions)}.{option} to the column holding the {what} ids.");
            _idInputs.Add(new IdInput(modelInput, ids, column, option, $"{_prefix}.{what}.id", $"{_prefix}.{what}.position"));
        }
        _modelBytes = OnnxModelRewriter.Wrap(
            spec.Model, spec.InputName, PixelsColumn, [1, 3, spec.InputHeight, spec.InputWidth],
            spec.ChannelScale, spec.ChannelShift,
            outputs.Select(o => (o.ModelOutput, RawColumn(o), o.Size)).ToList(), spec.Source,
            idInputs: _idInputs.Select(i => (i.ModelInput, i.PositionColumn)).ToList());
    }

    /// <summary>A camera or view input: the model's input, its ids, the user's column and the pipeline's own columns.</summary>
    private sealed record IdInput(string ModelInput, SortedIdIndex Ids, string Column, string Option, string IdColumn, string PositionColumn);

    /// <summary>The rewritten ONNX model (preprocessing + user model) that ApplyOnnxModel runs.</summary>
    internal byte[] ModelBytes => _modelBytes;

    private string ImageColumn => _prefix + ".image";

    private string ResizedColumn => _prefix + ".resized";

    private string PixelsColumn => _prefix + ".pixels";

    private string RawColumn(ImageModelOutput output) => $"{_prefix}.raw.{output.Column}";

    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(_inputColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Input column '{_inputColumn}' is not in the data (columns: {string.Join(", ", input.Schema.Select(c => c.Name))}).");
        foreach (var id in _idInputs)
        {
            var idColumn = input.Schema.GetColumnOrNull(id.Column)
                ?? throw new ArgumentOutOfRangeException(nameof(input),
                    $"{nameof(ReIdEmbedOptions)}.{id.Option} names column '{id.Column}', which is not in the data (columns: {string.Join(", ", input.Schema.Select(c => c.Name))}).");
            CheckIdType(id, idColumn.Type);
        }
        return Chain(IsImage(column.Type)).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var id in _idInputs)
        {
            var matches = inputSchema.Where(c => c.Name == id.Column).ToList();
            if (matches.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{nameof(ReIdEmbedOptions)}.{id.Option} names column '{id.Column}', which is not in the data.");
            var idColumn = matches[0];
            if (idColumn.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw new ArgumentException($"{nameof(ReIdEmbedOptions)}.{id.Option}: column '{id.Column}' must hold one integer id per row, not a vector.");
            CheckIdType(id, idColumn.ItemType);
        }
        foreach (var column in inputSchema)
        {
            if (column.Name == _inputColumn)
                return Chain(column.ItemType is ImageDataViewType).GetOutputSchema(inputSchema);
        }
        throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_inputColumn}' is not in the data.");
    }

    private static bool IsImage(DataViewType type)
    {
        if (type is ImageDataViewType)
            return true;
        if (type is TextDataViewType)
            return false;
        throw new ArgumentException($"The image column must hold image paths (text) or loaded images; it holds {type}.");
    }

    private static readonly Type[] IntegerTypes = [typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    private static void CheckIdType(IdInput id, DataViewType type)
    {
        // Key columns are excluded on purpose: their values are 1-based codes, not the dataset's ids.
        if (type is not NumberDataViewType number || !IntegerTypes.Contains(number.RawType))
            throw new ArgumentException($"{nameof(ReIdEmbedOptions)}.{id.Option}: column '{id.Column}' holds {type}; an integer column of ids was expected.");
    }

    private IEstimator<ITransformer> Chain(bool inputIsImage)
    {
        if (_chains.TryGetValue(inputIsImage, out var cached))
            return cached;
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var dropped = new List<string> { ResizedColumn, PixelsColumn };
        string imageColumn = _inputColumn;
        if (!inputIsImage)
        {
            chain = chain.Append(_catalog.LoadImages(ImageColumn, _imageFolder, _inputColumn));
            imageColumn = ImageColumn;
            dropped.Add(ImageColumn);
        }
        foreach (var id in _idInputs)
        {
            // Position + 1, so that the 0 MapValue gives for an id it does not hold means "unknown" (the wrapped model subtracts 1).
            var positions = id.Ids.Ids.Select((value, i) => new KeyValuePair<long, long>(value, i + 1L));
            chain = chain
                .Append(_catalog.Conversion.ConvertType(id.IdColumn, id.Column, DataKind.Int64))
                .Append(_catalog.Conversion.MapValue(id.PositionColumn, positions, id.IdColumn));
            dropped.Add(id.IdColumn);
            dropped.Add(id.PositionColumn);
        }
        chain = chain
            .Append(_catalog.ResizeImages(ResizedColumn, _spec.InputWidth, _spec.InputHeight, imageColumn, ImageResizeModes.ToMl(_spec.Resize)))
            .Append(_catalog.ExtractPixels(PixelsColumn, ResizedColumn,
                ImagePixelExtractingEstimator.ColorBits.Rgb,
                _spec.Bgr ? ImagePixelExtractingEstimator.ColorsOrder.ABGR : ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: 1f, outputAsFloatArray: true))
            .Append(_catalog.ApplyOnnxModel(
                _outputs.Select(RawColumn).ToArray(), [PixelsColumn, .. _idInputs.Select(i => i.PositionColumn)], new MemoryStream(_modelBytes, writable: false),
                _gpuDeviceId, _fallbackToCpu));
        foreach (var output in _outputs)
        {
            chain = output.L2Normalize
                ? chain.Append(_catalog.NormalizeLpNorm(output.Column, RawColumn(output)))
                : chain.Append(_catalog.CopyColumns(output.Column, RawColumn(output)));
            dropped.Add(RawColumn(output));
        }
        chain = chain.Append(_catalog.DropColumns(dropped.ToArray()));
        _chains[inputIsImage] = chain;
        return chain;
    }
}
