using ReId.MLNet.Onnx;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// Everything needed to feed images to an ONNX model, resolved from the options, the model package and the
/// model's own declared input shape (in that order of precedence).
/// </summary>
internal sealed class ImageModelSpec
{
    public required string Source { get; init; }
    public required ModelProto Model { get; init; }
    public required string InputName { get; init; }
    public required string OutputName { get; init; }
    public required int InputHeight { get; init; }
    public required int InputWidth { get; init; }
    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }
    public required bool Bgr { get; init; }
    public required ReIdResizeMode Resize { get; init; }
    public required bool NormalizeOutput { get; init; }
    public int? EmbeddingSize { get; init; }

    /// <summary>The model's camera-position input, or null when it takes images only.</summary>
    public string? CameraInputName { get; init; }
    public SortedIdIndex? CameraIds { get; init; }

    /// <summary>The model's view-position input, or null.</summary>
    public string? ViewInputName { get; init; }
    public SortedIdIndex? ViewIds { get; init; }

    /// <summary>The id inputs as (model input, ids, what), cameras first.</summary>
    public IEnumerable<(string Input, SortedIdIndex Ids, string What)> IdInputs
    {
        get
        {
            if (CameraInputName is not null) yield return (CameraInputName, CameraIds!, "camera");
            if (ViewInputName is not null) yield return (ViewInputName, ViewIds!, "view");
        }
    }

    /// <summary>Per-channel factor that turns 0..255 pixels into (x/255 − mean)/std.</summary>
    public float[] ChannelScale => Std.Select(s => 1f / (255f * s)).ToArray();

    /// <summary>Per-channel offset that turns 0..255 pixels into (x/255 − mean)/std.</summary>
    public float[] ChannelShift => Mean.Zip(Std, (m, s) => -m / s).ToArray();

    public static ImageModelSpec Resolve(
        ReIdEmbedOptions options, string optionsName, float[]? defaultMean = null, float[]? defaultStd = null, int? defaultSize = null,
        Func<ModelProto, string?>? defaultOutput = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var package = options.ModelPackage;
        if (package is null)
        {
            if (string.IsNullOrWhiteSpace(options.ModelPath))
                throw new ArgumentException($"{optionsName}.ModelPath (a model package folder, its model.json, or an .onnx file) is required.", nameof(options));
            if (!File.Exists(options.ModelPath) && !Directory.Exists(options.ModelPath))
                throw new FileNotFoundException($"Model '{options.ModelPath}' does not exist.", options.ModelPath);
            if (ModelPackage.IsPackagePath(options.ModelPath))
                package = ModelPackage.Read(options.ModelPath);
            else if (Directory.Exists(options.ModelPath))
                throw new FileNotFoundException(
                    $"Model folder '{options.ModelPath}' has no {ModelPackage.JsonFileName}; pass the .onnx file itself with explicit options.",
                    Path.Combine(options.ModelPath, ModelPackage.JsonFileName));
        }
        string onnxPath = package?.OnnxPath ?? options.ModelPath
            ?? throw new ArgumentException($"{optionsName}.ModelPackage has no OnnxPath; read it with ModelPackage.Read or set {optionsName}.ModelPath to the .onnx file.", nameof(options));
        var model = OnnxModelFile.Read(onnxPath);

        var input = OnnxModelRewriter.ResolveInput(model, options.InputName ?? package?.InputName, onnxPath);
        var dims = OnnxModelRewriter.Dims(input);
        if (dims is not null && dims.Length != 4)
            throw new InvalidDataException($"ONNX model '{onnxPath}': image input '{input.Name}' has rank {dims.Length}; an NCHW image input of rank 4 was expected.");
        if (dims is not null && dims[1] is { } channels && channels != 3)
            throw new InvalidDataException($"ONNX model '{onnxPath}': image input '{input.Name}' has {channels} channels; 3 were expected (NCHW).");

        int height = options.InputHeight ?? package?.InputHeight ?? (int?)dims?[2] ?? defaultSize
            ?? throw new ArgumentException($"{optionsName}.InputHeight is required: '{onnxPath}' has no model package and its input height is not fixed.", nameof(options));
        int width = options.InputWidth ?? package?.InputWidth ?? (int?)dims?[3] ?? defaultSize
            ?? throw new ArgumentException($"{optionsName}.InputWidth is required: '{onnxPath}' has no model package and its input width is not fixed.", nameof(options));
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"{optionsName}: input size must be positive (got {height}×{width}).", nameof(options));
        if ((dims?[2] is { } h && h != height) || (dims?[3] is { } w && w != width))
            throw new InvalidDataException(
                $"ONNX model '{onnxPath}': input '{input.Name}' has shape [{string.Join(",", dims!.Select(d => d?.ToString() ?? "?"))}], " +
                $"which does not match the requested input size {height}×{width}.");

        float[] mean = options.Mean ?? package?.Mean ?? defaultMean
            ?? throw new ArgumentException($"{optionsName}.Mean (3 values, 0..1 scale) is required for a raw ONNX model ('{onnxPath}').", nameof(options));
        float[] std = options.Std ?? package?.Std ?? defaultStd
            ?? throw new ArgumentException($"{optionsName}.Std (3 values, 0..1 scale) is required for a raw ONNX model ('{onnxPath}').", nameof(options));
        if (mean.Length != 3 || std.Length != 3)
            throw new ArgumentException($"{optionsName}.Mean and Std must have 3 values each (got {mean.Length} and {std.Length}).", nameof(options));
        if (std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException($"{optionsName}.Std values must be finite and positive.", nameof(options));

        string order = options.ChannelOrder ?? package?.ChannelOrder ?? "RGB";
        if (order is not ("RGB" or "BGR"))
            throw new ArgumentException($"{optionsName}.ChannelOrder must be \"RGB\" or \"BGR\" (got \"{order}\").", nameof(options));

        foreach (var (name, what) in new[] { (package?.CameraInputName, "camera"), (package?.ViewInputName, "view") })
        {
            if (name is null) continue;
            var idInput = OnnxModelRewriter.RealInputs(model).FirstOrDefault(i => i.Name == name)
                ?? throw new InvalidDataException($"Model package of '{onnxPath}' names the {what} input '{name}', which the ONNX model does not have.");
            if (idInput.Type?.TensorType?.ElemType != (int)OnnxElementType.Int64)
                throw new InvalidDataException($"ONNX model '{onnxPath}': {what} input '{name}' must be an int64 tensor [batch].");
        }
        var output = OnnxModelRewriter.ResolveOutput(model, options.OutputName ?? package?.OutputName ?? defaultOutput?.Invoke(model), onnxPath);
        return new ImageModelSpec
        {
            Source = onnxPath,
            Model = model,
            InputName = input.Name,
            OutputName = output.Name,
            InputHeight = height,
            InputWidth = width,
            Mean = (float[])mean.Clone(),
            Std = (float[])std.Clone(),
            Bgr = order == "BGR",
            Resize = options.ResizeMode ?? (package is null ? ReIdResizeMode.Fill : ImageResizeModes.Parse(package.Resize, onnxPath)),
            NormalizeOutput = options.NormalizeOutput ?? package?.NormalizeOutput ?? true,
            EmbeddingSize = package?.EmbeddingSize,
            CameraInputName = package?.CameraInputName,
            CameraIds = package?.CameraIds is { } cameras ? new SortedIdIndex(cameras) : null,
            ViewInputName = package?.ViewInputName,
            ViewIds = package?.ViewIds is { } views ? new SortedIdIndex(views) : null,
        };
    }
}
