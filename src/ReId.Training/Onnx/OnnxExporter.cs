using ReId.MLNet.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Onnx;

/// <summary>Exports a TorchSharp module implementing <see cref="IOnnxExportable"/> to an ONNX model with a dynamic batch.</summary>
public static class OnnxExporter
{
    /// <summary>Default input and output names.</summary>
    public const string InputName = "images", OutputName = "embedding";

    /// <summary>Name of the camera-id input of models with SIE camera embeddings.</summary>
    public const string CameraInputName = "cameras";

    /// <summary>Builds the ONNX model bytes for inputs [batch, 3, H, W] and output [batch, <paramref name="embeddingSize"/>].</summary>
    /// <param name="cameraInput">Adds an int64 input <see cref="CameraInputName"/> [batch] of camera ids, for modules with SIE camera embeddings.</param>
    public static byte[] Export(IOnnxExportable module, int inputHeight, int inputWidth, int embeddingSize, string architecture = "", bool cameraInput = false)
    {
        if (module is nn.Module m && m.training)
            throw new InvalidOperationException("Put the module in eval mode before exporting (BatchNorm and dropout use their inference behaviour in ONNX).");
        var g = new OnnxGraphBuilder("reid");
        string input = g.AddInput(InputName, OnnxElementType.Float, "batch", 3, inputHeight, inputWidth);
        var ctx = new OnnxExportContext(g) { CameraInput = cameraInput ? g.AddInput(CameraInputName, OnnxElementType.Int64, "batch") : null };
        string y;
        using (torch.no_grad())
            y = module.Export(ctx, input);
        g.NodeWithOutputs("Identity", [y], [OutputName]);
        g.AddOutput(OutputName, OnnxElementType.Float, "batch", embeddingSize);
        if (architecture.Length > 0) g.SetMetadata("architecture", architecture);
        var bytes = g.ToBytes();
        OnnxModelChecker.Check(bytes);
        return bytes;
    }
}
