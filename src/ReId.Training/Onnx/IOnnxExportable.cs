namespace ReId.Training.Onnx;

/// <summary>A module that writes its own inference computation into an ONNX graph.</summary>
public interface IOnnxExportable
{
    /// <summary>Adds the module's nodes (weights as initializers) reading <paramref name="input"/>; returns the output name.</summary>
    string Export(OnnxExportContext ctx, string input);
}
