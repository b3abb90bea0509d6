using ReId.MLNet.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Onnx;

/// <summary>Exports a TorchSharp module implementing <see cref="IOnnxExportable"/> to an ONNX model with a dynamic batch.</summary>
public static class OnnxExporter
{
    /// <summary>Default input and output names.</summary>
    public const string InputName = "images", OutputName = "embedding";

    /// <summary>
    /// Name of the int64 [batch] camera input of models with camera embeddings (SIE). It takes each image's camera
    /// position (the index of its camera id in the sorted training ids; see <c>SortedIdIndex</c>), −1 for a camera the
    /// model was not trained on, which adds no camera term (<see cref="OnnxExportContext.IdEmbedding"/>).
    /// </summary>
    public const string CameraInputName = "cameras";

    /// <summary>Name of the int64 [batch] view input of models with view embeddings; positions like <see cref="CameraInputName"/>.</summary>
    public const string ViewInputName = "views";

    /// <summary>Builds the ONNX model bytes for inputs [batch, 3, H, W] and output [batch, <paramref name="embeddingSize"/>].</summary>
    /// <param name="cameraInput">
    /// Offers the module an int64 input <see cref="CameraInputName"/> [batch] of camera positions. The exported model
    /// declares it only when the module reads it, so callers can offer cameras to every module.
    /// </param>
    /// <param name="viewInput">Offers an int64 input <see cref="ViewInputName"/> [batch] of view positions, likewise.</param>
    public static byte[] Export(IOnnxExportable module, int inputHeight, int inputWidth, int embeddingSize, string architecture = "", bool cameraInput = false,
        bool viewInput = false)
    {
        if (module is nn.Module m && m.training)
            throw new InvalidOperationException("Put the module in eval mode before exporting (BatchNorm and dropout use their inference behaviour in ONNX).");
        var g = new OnnxGraphBuilder("reid");
        string input = g.AddInput(InputName, OnnxElementType.Float, "batch", 3, inputHeight, inputWidth);
        var ctx = new OnnxExportContext(g)
        {
            CameraInput = cameraInput ? g.AddInput(CameraInputName, OnnxElementType.Int64, "batch") : null,
            ViewInput = viewInput ? g.AddInput(ViewInputName, OnnxElementType.Int64, "batch") : null,
        };
        string y;
        // The scope owns every temporary the walk makes (folded BatchNorms, reshaped weights): outside one, a temporary
        // that is `this` of the next TorchSharp call can be finalised during that native call (README, Known problems).
        using (torch.NewDisposeScope())
        using (torch.no_grad())
            y = module.Export(ctx, input);
        g.NodeWithOutputs("Identity", [y], [OutputName]);
        // An offered id input no node reads is dropped: a package must not ask deployments for cameras the model ignores.
        var graph = g.ToProto(share: true).Graph;
        foreach (var offered in graph.Input.Where(i => i.Name is CameraInputName or ViewInputName).ToList())
        {
            if (!graph.Node.Any(n => n.Input.Contains(offered.Name)))
                graph.Input.Remove(offered);
        }
        g.AddOutput(OutputName, OnnxElementType.Float, "batch", embeddingSize);
        if (architecture.Length > 0) g.SetMetadata("architecture", architecture);
        var bytes = g.ToBytes();
        OnnxModelChecker.Check(bytes);
        return bytes;
    }

    /// <summary>Whether the exported model <paramref name="model"/> declares the input <paramref name="name"/> (for example <see cref="CameraInputName"/>).</summary>
    public static bool HasInput(byte[] model, string name) =>
        OnnxModelFile.Parse(model, "exported model").Graph.Input.Any(i => i.Name == name);
}
