using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReId.MLNet.IO;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Onnx;

/// <summary>
/// A model package: <c>model.onnx</c> plus the <c>model.json</c> sidecar that says how to feed it
/// (input name and size, normalisation, channel order, resize) and what it gives (output name, embedding size).
/// Training's exporter writes packages; <c>ReIdEmbed</c>, <c>OnnxEmbedder</c> and <c>reid embed</c> read them.
/// </summary>
public sealed record ModelPackage
{
    /// <summary>File name of the sidecar inside a package folder.</summary>
    public const string JsonFileName = "model.json";

    /// <summary>File name of the ONNX model inside a package folder.</summary>
    public const string OnnxFileName = "model.onnx";

    public required string InputName { get; init; }
    public required string OutputName { get; init; }
    public required int InputHeight { get; init; }
    public required int InputWidth { get; init; }
    /// <summary>Per-channel mean on the 0..1 scale, in <see cref="ChannelOrder"/> order.</summary>
    public required float[] Mean { get; init; }
    /// <summary>Per-channel standard deviation on the 0..1 scale, in <see cref="ChannelOrder"/> order.</summary>
    public required float[] Std { get; init; }
    public required int EmbeddingSize { get; init; }
    /// <summary>"RGB" or "BGR": the order of the model's input channels.</summary>
    public string ChannelOrder { get; init; } = "RGB";
    /// <summary>Only "NCHW" is supported.</summary>
    public string Layout { get; init; } = "NCHW";
    /// <summary>"bicubic", "bilinear" or "fill" (all stretch to the input size), "isopad" or "isocrop".</summary>
    public string Resize { get; init; } = "bilinear";
    /// <summary>Whether embeddings are L2-normalised after the model.</summary>
    public bool NormalizeOutput { get; init; } = true;
    public string? Architecture { get; init; }
    public string? CreatedBy { get; init; }

    /// <summary>
    /// The model's int64 [batch] camera input (camera embeddings such as SIE), or null when it takes images only. It is fed
    /// the position of each image's camera id in <see cref="CameraIds"/>; −1 for an id not in the list.
    /// </summary>
    public string? CameraInputName { get; init; }

    /// <summary>The training camera ids in ascending order (required with <see cref="CameraInputName"/>).</summary>
    public int[]? CameraIds { get; init; }

    /// <summary>The model's int64 [batch] view (viewpoint) input, or null; fed positions in <see cref="ViewIds"/> like cameras.</summary>
    public string? ViewInputName { get; init; }

    /// <summary>The training view ids in ascending order (required with <see cref="ViewInputName"/>).</summary>
    public int[]? ViewIds { get; init; }

    /// <summary>Path of the ONNX file; set when read from disk.</summary>
    public string? OnnxPath { get; init; }

    /// <summary>Whether <paramref name="path"/> names a package (a folder with model.json, or a .json file).</summary>
    public static bool IsPackagePath(string path) =>
        (Directory.Exists(path) && File.Exists(Path.Combine(path, JsonFileName)))
        || (File.Exists(path) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads a package from its folder or its JSON file. The ONNX file is <c>model.onnx</c> beside the JSON
    /// (or the JSON's optional "onnxFile"). Errors name the file and the field at fault.
    /// </summary>
    public static ModelPackage Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string jsonPath = Directory.Exists(path) ? Path.Combine(path, JsonFileName) : path;
        if (!File.Exists(jsonPath))
            throw new FileNotFoundException($"Model package file '{jsonPath}' does not exist (a package is a folder with {JsonFileName} and {OnnxFileName}).", jsonPath);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(jsonPath)) as JsonObject
                ?? throw new InvalidDataException($"Model package file '{jsonPath}' must hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Model package file '{jsonPath}' is not valid JSON: {ex.Message}", ex);
        }

        string dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        string onnxFile = OptionalString(root, "onnxFile", jsonPath) ?? OnnxFileName;
        var package = new ModelPackage
        {
            InputName = RequiredString(root, "inputName", jsonPath),
            OutputName = RequiredString(root, "outputName", jsonPath),
            InputHeight = RequiredInt(root, "inputHeight", jsonPath),
            InputWidth = RequiredInt(root, "inputWidth", jsonPath),
            Mean = RequiredFloats(root, "mean", jsonPath),
            Std = RequiredFloats(root, "std", jsonPath),
            EmbeddingSize = RequiredInt(root, "embeddingSize", jsonPath),
            ChannelOrder = OptionalString(root, "channelOrder", jsonPath) ?? "RGB",
            Layout = OptionalString(root, "layout", jsonPath) ?? "NCHW",
            Resize = OptionalString(root, "resize", jsonPath) ?? "bilinear",
            NormalizeOutput = root["normalizeOutput"] is { } n ? Get<bool>(n, "normalizeOutput", jsonPath) : true,
            Architecture = OptionalString(root, "architecture", jsonPath),
            CreatedBy = OptionalString(root, "createdBy", jsonPath),
            CameraInputName = OptionalString(root, "cameraInputName", jsonPath),
            CameraIds = OptionalInts(root, "cameraIds", jsonPath),
            ViewInputName = OptionalString(root, "viewInputName", jsonPath),
            ViewIds = OptionalInts(root, "viewIds", jsonPath),
            OnnxPath = Path.Combine(dir, onnxFile),
        };
        package.Validate(jsonPath);
        if (!File.Exists(package.OnnxPath))
            throw new FileNotFoundException($"Model package '{jsonPath}' refers to ONNX file '{package.OnnxPath}', which does not exist.", package.OnnxPath);
        return package;
    }

    /// <summary>Writes <c>model.json</c> into <paramref name="directory"/> atomically (the ONNX file is written separately).</summary>
    public void Write(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string jsonPath = Path.Combine(directory, JsonFileName);
        Validate(jsonPath);
        var root = new JsonObject
        {
            ["inputName"] = InputName,
            ["outputName"] = OutputName,
            ["inputHeight"] = InputHeight,
            ["inputWidth"] = InputWidth,
            ["mean"] = new JsonArray(Mean.Select(v => (JsonNode)v).ToArray()),
            ["std"] = new JsonArray(Std.Select(v => (JsonNode)v).ToArray()),
            ["embeddingSize"] = EmbeddingSize,
            ["channelOrder"] = ChannelOrder,
            ["layout"] = Layout,
            ["resize"] = Resize,
            ["normalizeOutput"] = NormalizeOutput,
        };
        if (Architecture is not null)
            root["architecture"] = Architecture;
        if (CreatedBy is not null)
            root["createdBy"] = CreatedBy;
        // Written only when present, so packages of image-only models stay byte-identical to older ones.
        if (CameraInputName is not null)
        {
            root["cameraInputName"] = CameraInputName;
            root["cameraIds"] = new JsonArray(CameraIds!.Select(v => (JsonNode)v).ToArray());
        }
        if (ViewInputName is not null)
        {
            root["viewInputName"] = ViewInputName;
            root["viewIds"] = new JsonArray(ViewIds!.Select(v => (JsonNode)v).ToArray());
        }
        AtomicFile.WriteAllText(jsonPath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Writes the ONNX bytes and the sidecar into <paramref name="directory"/>; returns the package as read back.</summary>
    public static ModelPackage Create(string directory, byte[] onnxModel, ModelPackage description)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(description);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, OnnxFileName), onnxModel);
        description.Write(directory);
        return Read(directory);
    }

    internal void Validate(string source)
    {
        void Fail(string what) => throw new InvalidDataException($"Model package '{source}': {what}");
        if (string.IsNullOrWhiteSpace(InputName)) Fail("\"inputName\" must be a non-empty string.");
        if (string.IsNullOrWhiteSpace(OutputName)) Fail("\"outputName\" must be a non-empty string.");
        if (InputHeight <= 0 || InputWidth <= 0) Fail($"\"inputHeight\"/\"inputWidth\" must be positive (got {InputHeight}×{InputWidth}).");
        if (EmbeddingSize <= 0) Fail($"\"embeddingSize\" must be positive (got {EmbeddingSize}).");
        if (Mean is not { Length: 3 }) Fail($"\"mean\" must have 3 values (got {Mean?.Length ?? 0}).");
        if (Std is not { Length: 3 }) Fail($"\"std\" must have 3 values (got {Std?.Length ?? 0}).");
        if (Std!.Any(s => !(s > 0) || !float.IsFinite(s))) Fail("\"std\" values must be finite and positive.");
        if (Mean!.Any(m => !float.IsFinite(m))) Fail("\"mean\" values must be finite.");
        if (ChannelOrder is not ("RGB" or "BGR")) Fail($"\"channelOrder\" must be \"RGB\" or \"BGR\" (got \"{ChannelOrder}\").");
        if (Layout != "NCHW") Fail($"\"layout\" must be \"NCHW\" (got \"{Layout}\").");
        _ = ImageResizeModes.Parse(Resize, $"Model package '{source}', \"resize\"");
        ValidateIds(CameraInputName, CameraIds, "camera", Fail);
        ValidateIds(ViewInputName, ViewIds, "view", Fail);
    }

    private static void ValidateIds(string? inputName, int[]? ids, string what, Action<string> fail)
    {
        if (inputName is null)
        {
            if (ids is not null) fail($"\"{what}Ids\" is given without \"{what}InputName\".");
            return;
        }
        if (string.IsNullOrWhiteSpace(inputName)) fail($"\"{what}InputName\" must be a non-empty string.");
        if (ids is not { Length: > 0 }) fail($"\"{what}InputName\" needs \"{what}Ids\", the non-empty list of training {what} ids.");
        for (int i = 1; i < ids!.Length; i++)
        {
            if (ids[i] <= ids[i - 1])
                fail($"\"{what}Ids\" must be strictly ascending (got {ids[i - 1]} before {ids[i]}).");
        }
    }

    private static T Get<T>(JsonNode node, string field, string file)
    {
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Model package file '{file}': field \"{field}\" must be a {typeof(T).Name.ToLowerInvariant()} (got {node.ToJsonString()}).", ex);
        }
    }

    private static JsonNode Required(JsonObject root, string field, string file) =>
        root[field] ?? throw new InvalidDataException($"Model package file '{file}' is missing the required field \"{field}\".");

    private static string RequiredString(JsonObject root, string field, string file) => Get<string>(Required(root, field, file), field, file);

    private static string? OptionalString(JsonObject root, string field, string file) =>
        root[field] is { } node ? Get<string>(node, field, file) : null;

    private static int RequiredInt(JsonObject root, string field, string file) => Get<int>(Required(root, field, file), field, file);

    private static float[] RequiredFloats(JsonObject root, string field, string file)
    {
        if (Required(root, field, file) is not JsonArray array)
            throw new InvalidDataException($"Model package file '{file}': field \"{field}\" must be an array of numbers.");
        return array.Select(v => v is null
            ? throw new InvalidDataException($"Model package file '{file}': field \"{field}\" holds a null.")
            : Get<float>(v, field, file)).ToArray();
    }

    private static int[]? OptionalInts(JsonObject root, string field, string file)
    {
        if (root[field] is not { } node)
            return null;
        if (node is not JsonArray array)
            throw new InvalidDataException($"Model package file '{file}': field \"{field}\" must be an array of integers.");
        return array.Select(v => v is null
            ? throw new InvalidDataException($"Model package file '{file}': field \"{field}\" holds a null.")
            : Get<int>(v, field, file)).ToArray();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Architecture ?? "model"} {InputHeight}x{InputWidth} -> {EmbeddingSize} ({OnnxPath})");
}
