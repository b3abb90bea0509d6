using System.Runtime.InteropServices;
using Google.Protobuf;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>A named constant tensor (initializer or tensor attribute), stored as little-endian raw data.</summary>
public sealed class OnnxTensor
{
    private readonly byte[] _raw;

    private OnnxTensor(string name, OnnxElementType type, byte[] raw, long[] dims)
    {
        Name = name;
        ElementType = type;
        _raw = raw;
        Dims = dims;
    }

    /// <summary>The tensor's name (the graph value it defines when used as an initializer).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>A float tensor; <paramref name="data"/> is row-major and must hold the product of <paramref name="dims"/> values.</summary>
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<float> data, params long[] dims) =>
        Create(name, OnnxElementType.Float, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>An int64 tensor; <paramref name="data"/> is row-major and must hold the product of <paramref name="dims"/> values.</summary>
    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<long> data, params long[] dims) =>
        Create(name, OnnxElementType.Int64, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>An int32 tensor; <paramref name="data"/> is row-major and must hold the product of <paramref name="dims"/> values.</summary>
    public static OnnxTensor FromInt32s(string name, ReadOnlySpan<int> data, params long[] dims) =>
        Create(name, OnnxElementType.Int32, MemoryMarshal.AsBytes(data), data.Length, dims);

    private static OnnxTensor Create(string name, OnnxElementType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        dims ??= [];
        long expected = 1;
        foreach (long d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"Tensor '{name}': dimension {d} is negative.", nameof(dims));
            expected *= d;
        }
        if (expected != count)
            throw new ArgumentException(
                $"Tensor '{name}': shape [{string.Join(",", dims)}] needs {expected} values but {count} were given.", nameof(dims));
        // ONNX raw_data is little-endian; every platform .NET 10 runs this library on is little-endian.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is written little-endian; this machine is big-endian.");
        return new OnnxTensor(name, type, bytes.ToArray(), (long[])dims.Clone());
    }

    internal TensorProto ToProto()
    {
        var proto = new TensorProto
        {
            Name = Name,
            DataType = (int)ElementType,
            // _raw is private and never written after construction, so the proto can share it (large weights are not copied again).
            RawData = UnsafeByteOperations.UnsafeWrap(_raw),
        };
        proto.Dims.AddRange(Dims);
        return proto;
    }
}
