namespace ReId.Training.Weights;

/// <summary>Element types this library reads from and writes to safetensors files.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 single precision ("F32").</summary>
    F32,
    /// <summary>IEEE 754 half precision ("F16").</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a float32 ("BF16").</summary>
    BF16,
}
