namespace ReId.Training.Weights;

/// <summary>One named tensor of a safetensors file, widened to float32 in C (row-major) order.</summary>
/// <param name="Name">Key in the file header.</param>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
/// <param name="Data">Values in row-major order; length is the product of <paramref name="Shape"/>.</param>
/// <param name="StoredType">Element type the tensor had (or will have) on disk.</param>
public sealed record SafetensorsTensor(string Name, long[] Shape, float[] Data, SafetensorsDType StoredType = SafetensorsDType.F32)
{
    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
