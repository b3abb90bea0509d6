using Google.Protobuf;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>A node attribute (ONNX <c>AttributeProto</c>) of one of the supported kinds.</summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto _proto;

    private OnnxAttribute(AttributeProto proto) => _proto = proto;

    /// <summary>The attribute's name.</summary>
    public string Name => _proto.Name;

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) =>
        new(New(name, AttributeProto.Types.AttributeType.Int, p => p.I = value));

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) =>
        new(New(name, AttributeProto.Types.AttributeType.Ints, p => p.Ints.AddRange(values)));

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) =>
        new(New(name, AttributeProto.Types.AttributeType.Float, p => p.F = value));

    /// <summary>A list-of-floats attribute.</summary>
    public static OnnxAttribute Floats(string name, params float[] values) =>
        new(New(name, AttributeProto.Types.AttributeType.Floats, p => p.Floats.AddRange(values)));

    /// <summary>A UTF-8 string attribute.</summary>
    public static OnnxAttribute String(string name, string value) =>
        new(New(name, AttributeProto.Types.AttributeType.String, p => p.S = ByteString.CopyFromUtf8(value)));

    /// <summary>A tensor attribute (for example the <c>value</c> of a Constant node).</summary>
    public static OnnxAttribute Tensor(string name, OnnxTensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(New(name, AttributeProto.Types.AttributeType.Tensor, p => p.T = value.ToProto()));
    }

    private static AttributeProto New(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> fill)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var proto = new AttributeProto { Name = name, Type = type };
        fill(proto);
        return proto;
    }

    internal AttributeProto ToProto() => _proto.Clone();
}
