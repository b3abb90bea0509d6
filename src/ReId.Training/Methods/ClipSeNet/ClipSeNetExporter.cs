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
    /// Writes the whole model as a package; with <paramref name="cameraInput"/> (and camera embeddings) it takes an int64
    /// <c>cameras</c> input of camera indices, else a camera embedding enters as the mean over cameras.
    /// </summary>
    public static ModelPackage WriteWhole(string directory, ClipSeNetModel model, int inputHeight, int inputWidth, float[] mean, float[] std, string resize,
        bool cameraInput = false)
    {
        EnsureEval(model);
        byte[] bytes = OnnxExporter.Export(model, inputHeight, inputWidth, model.EmbeddingSize, "clip-senet", cameraInput: cameraInput && model.Cameras > 0);
        return ModelPackage.Create(directory, bytes, Describe(inputHeight, inputWidth, mean, std, resize, model.EmbeddingSize, "clip-senet", normalize: true));
    }

    /// <summary>Writes the three parts into <paramref name="directory"/> (see the type's summary; camera input as in <see cref="WriteWhole"/>).</summary>
    public static void WriteParts(string directory, ClipSeNetModel model, int inputHeight, int inputWidth, float[] mean, float[] std, string resize,
        bool cameraInput = false)
    {
        EnsureEval(model);
        if (model.Semantic is null) throw new InvalidOperationException("An appearance-only CLIP-SENet model has no semantic parts to export.");
        Directory.CreateDirectory(directory);
        byte[] appearance = OnnxExporter.Export(new Part(model.ExportAppearance), inputHeight, inputWidth, model.AppearanceSize,
            "clip-senet-appearance", cameraInput: cameraInput && model.Cameras > 0);
        ModelPackage.Create(Path.Combine(directory, AppearanceFolder), appearance,
            Describe(inputHeight, inputWidth, mean, std, resize, model.AppearanceSize, "clip-senet-appearance", normalize: false));
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

    private static ModelPackage Describe(int h, int w, float[] mean, float[] std, string resize, int size, string architecture, bool normalize) => new()
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
    };

    /// <summary>One of the model's partial graphs as an exportable module.</summary>
    private sealed class Part(Func<OnnxExportContext, string, string> export) : IOnnxExportable
    {
        public string Export(OnnxExportContext ctx, string input) => export(ctx, input);
    }
}
