using ReId.MLNet.IO;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using TorchSharp;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>
/// Writes a CLIP-SENet model for deployment, whole and in parts. Whole: one model package (images [+ cameras] →
/// embedding) for <c>ReIdEmbed</c>. Parts, so that <c>ClipImageFeatures → SemanticEnhance</c> next to the appearance
/// <c>ReIdEmbed</c>, concatenated, gives the whole model's embedding: <see cref="AppearanceFolder"/> (a package,
/// images → appearance half), <see cref="SemanticEncoderFolder"/> (a package with CLIP's preprocessing, images → SEM
/// embedding) and <see cref="EnhancementFile"/> (vector → semantic half). Part packages leave L2 normalisation off:
/// only the concatenation is normalised.
/// </summary>
public static class ClipSeNetExporter
{
    /// <summary>Sub-folder of the parts directory holding the appearance package.</summary>
    public const string AppearanceFolder = "appearance";

    /// <summary>Sub-folder of the parts directory holding SEM's package.</summary>
    public const string SemanticEncoderFolder = "semantic-encoder";

    /// <summary>File of the parts directory holding AFEM plus the neck's semantic half (vector → vector).</summary>
    public const string EnhancementFile = "semantic-enhance.onnx";

    /// <summary>Input and output names of <see cref="EnhancementFile"/>.</summary>
    public const string EnhancementInputName = "semantic", EnhancementOutputName = "enhanced";

    /// <summary>
    /// Writes the whole model as a package. Given the training <paramref name="cameraIds"/> (sorted: camera positions are
    /// indices into them, as in training) a model with camera embeddings takes an optional int64 <c>cameras</c> input of
    /// positions and the package records the input and the ids, so <c>ReIdEmbed</c> with a camera column feeds each
    /// image's camera (−1 or an untrained camera: the mean embedding); without them a camera embedding enters as the mean.
    /// </summary>
    public static ModelPackage WriteWhole(string directory, ClipSeNetModel model, int inputHeight, int inputWidth, float[] mean, float[] std, string resize,
        IReadOnlyList<int>? cameraIds = null)
    {
        EnsureEval(model);
        var cameras = CameraIds(model, cameraIds);
        byte[] bytes = OnnxExporter.Export(model, inputHeight, inputWidth, model.EmbeddingSize, "clip-senet", cameraInput: cameras is not null);
        return ModelPackage.Create(directory, bytes, Describe(inputHeight, inputWidth, mean, std, resize, model.EmbeddingSize, "clip-senet", normalize: true, cameras));
    }

    /// <summary>Writes the three parts into <paramref name="directory"/> (see the type's summary; cameras as in <see cref="WriteWhole"/>, on the appearance part).</summary>
    public static void WriteParts(string directory, ClipSeNetModel model, int inputHeight, int inputWidth, float[] mean, float[] std, string resize,
        IReadOnlyList<int>? cameraIds = null)
    {
        EnsureEval(model);
        if (model.Semantic is null) throw new InvalidOperationException("An appearance-only CLIP-SENet model has no semantic parts to export.");
        Directory.CreateDirectory(directory);
        var cameras = CameraIds(model, cameraIds);
        byte[] appearance = OnnxExporter.Export(new Part(model.ExportAppearance), inputHeight, inputWidth, model.AppearanceSize,
            "clip-senet-appearance", cameraInput: cameras is not null);
        ModelPackage.Create(Path.Combine(directory, AppearanceFolder), appearance,
            Describe(inputHeight, inputWidth, mean, std, resize, model.AppearanceSize, "clip-senet-appearance", normalize: false, cameras));
        byte[] encoder = OnnxExporter.Export(new Part(model.ExportSemanticEncoder), inputHeight, inputWidth, model.SemanticSize, "clip-senet-sem");
        ModelPackage.Create(Path.Combine(directory, SemanticEncoderFolder), encoder,
            Describe(inputHeight, inputWidth, ModelPackageExporter.ClipMean, ModelPackageExporter.ClipStd, resize, model.SemanticSize, "clip-senet-sem", normalize: false));
        AtomicFile.WriteAllBytes(Path.Combine(directory, EnhancementFile), Enhancement(model));
    }

    /// <summary>The vector → vector model: SEM embedding [batch, S] → semantic half of the embedding [batch, S].</summary>
    public static byte[] Enhancement(ClipSeNetModel model)
    {
        EnsureEval(model);
        var g = new OnnxGraphBuilder("clip-senet-afem");
        string input = g.AddInput(EnhancementInputName, OnnxElementType.Float, "batch", model.SemanticSize);
        string y;
        using (torch.NewDisposeScope()) // owns the walk's temporaries (see OnnxExporter.Export)
        using (torch.no_grad())
            y = model.ExportEnhancement(new OnnxExportContext(g), input);
        g.NodeWithOutputs("Identity", [y], [EnhancementOutputName]);
        g.AddOutput(EnhancementOutputName, OnnxElementType.Float, "batch", model.SemanticSize);
        g.SetMetadata("architecture", "clip-senet-afem");
        byte[] bytes = g.ToBytes();
        OnnxModelChecker.Check(bytes);
        return bytes;
    }

    private static void EnsureEval(ClipSeNetModel model)
    {
        if (model.training)
            throw new InvalidOperationException("Put the model in eval mode before exporting (BatchNorm uses its running statistics in ONNX).");
    }

    /// <summary>The camera ids a camera input needs, or null when the model has no camera embeddings or none were given.</summary>
    private static int[]? CameraIds(ClipSeNetModel model, IReadOnlyList<int>? cameraIds)
    {
        if (cameraIds is null || model.Cameras == 0) return null;
        if (cameraIds.Count != model.Cameras)
            throw new ArgumentException($"The model has {model.Cameras} camera embeddings but {cameraIds.Count} camera ids were given.", nameof(cameraIds));
        if (!cameraIds.Zip(cameraIds.Skip(1), (a, b) => a < b).All(x => x))
            throw new ArgumentException("Camera ids must be sorted and distinct: camera positions are indices into them.", nameof(cameraIds));
        return [.. cameraIds];
    }

    private static ModelPackage Describe(int h, int w, float[] mean, float[] std, string resize, int size, string architecture, bool normalize,
        int[]? cameraIds = null) => new()
    {
        InputName = OnnxExporter.InputName,
        OutputName = OnnxExporter.OutputName,
        InputHeight = h,
        InputWidth = w,
        Mean = mean,
        Std = std,
        EmbeddingSize = size,
        Resize = resize,
        NormalizeOutput = normalize,
        Architecture = architecture,
        CreatedBy = "ReId.Training " + typeof(ClipSeNetExporter).Assembly.GetName().Version,
        CameraInputName = cameraIds is null ? null : OnnxExporter.CameraInputName,
        CameraIds = cameraIds,
    };

    /// <summary>One of the model's partial graphs as an exportable module.</summary>
    private sealed class Part(Func<OnnxExportContext, string, string> export) : IOnnxExportable
    {
        public string Export(OnnxExportContext ctx, string input) => export(ctx, input);
    }
}
