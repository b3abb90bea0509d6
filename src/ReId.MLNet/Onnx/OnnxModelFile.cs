using Google.Protobuf;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>Reads and writes ONNX model files with clear errors naming the file.</summary>
internal static class OnnxModelFile
{
    /// <summary>Parses an ONNX model file; a missing file or bytes that are not an ONNX model give an error naming it.</summary>
    public static ModelProto Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"'{source}' is not an ONNX model: the protobuf bytes do not parse ({ex.Message}).", ex);
        }
        if (model.Graph is null || model.OpsetImport.Count == 0)
            throw new InvalidDataException($"'{source}' is not an ONNX model: it has no graph or no opset import.");
        return model;
    }

    public static void WriteAtomic(string path, byte[] bytes) => ReId.MLNet.IO.AtomicFile.WriteAllBytes(path, bytes);
}
