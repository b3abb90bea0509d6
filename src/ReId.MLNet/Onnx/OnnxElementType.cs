namespace ReId.MLNet.Onnx;

/// <summary>Element types of ONNX tensors; the values are ONNX's <c>TensorProto.DataType</c> numbers.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,
    /// <summary>UTF-8 string.</summary>
    String = 8,
    /// <summary>Boolean.</summary>
    Bool = 9,
    /// <summary>16-bit float.</summary>
    Float16 = 10,
}
