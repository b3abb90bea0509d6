using ReId.MLNet.Onnx;
using ReId.Training.Models.Text;
using TorchSharp;

namespace ReId.Training.Onnx;

/// <summary>Exports a CLIP text encoder to ONNX: int64 token ids [batch, context] → text features [batch, out].</summary>
internal static class ClipTextExporter
{
    /// <summary>Input and output names.</summary>
    public const string InputName = "input_ids", OutputName = "text_features";

    /// <summary>Builds the ONNX model bytes (dynamic batch, fixed context length) and checks their structure.</summary>
    public static byte[] Export(ClipTextTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder("clip_text");
        var ctx = new OnnxExportContext(g);
        string input = g.AddInput(InputName, OnnxElementType.Int64, "batch", model.Options.ContextLength);
        string y;
        using (torch.NewDisposeScope()) // owns the walk's temporaries (see OnnxExporter.Export)
        using (torch.no_grad())
            y = model.Export(ctx, input);
        g.NodeWithOutputs("Identity", [y], [OutputName]);
        g.AddOutput(OutputName, OnnxElementType.Float, "batch", model.EmbeddingSize);
        g.SetMetadata("architecture", "clip-text");
        g.SetMetadata("context_length", model.Options.ContextLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bytes = g.ToBytes();
        OnnxModelChecker.Check(bytes);
        return bytes;
    }
}
