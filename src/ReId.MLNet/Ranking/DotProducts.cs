using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Ranking;

/// <summary>
/// All row-by-row dot products of two row-major matrices (A·Bᵀ) with ONNX Runtime's Gemm (MLAS: blocked, SIMD, all
/// cores), written straight into the caller's array block by block, so a large distance matrix costs no extra copy.
/// </summary>
internal static class DotProducts
{
    private const int RowBlock = 512;

    /// <summary><paramref name="result"/>[i·n + j] = a[i]·b[j] for <paramref name="m"/> rows of a and <paramref name="n"/> rows of b.</summary>
    public static void Compute(float[] a, int m, float[] b, int n, int dim, float[] result)
    {
        if ((long)m * dim > a.Length || (long)n * dim > b.Length || (long)m * n > result.Length)
            throw new ArgumentException("matrix sizes do not match the arrays");
        if (m == 0 || n == 0) return;
        using var session = CreateSession(dim);
        var memory = OrtMemoryInfo.DefaultInstance;
        using var bValue = OrtValue.CreateTensorValueFromMemory(memory, b.AsMemory(0, n * dim), [n, dim]);
        for (int r0 = 0; r0 < m; r0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, m - r0);
            using var aValue = OrtValue.CreateTensorValueFromMemory(memory, a.AsMemory(r0 * dim, rows * dim), [rows, dim]);
            using var sValue = OrtValue.CreateTensorValueFromMemory(memory, result.AsMemory((int)((long)r0 * n), rows * n), [rows, n]);
            session.Run(null, ["a", "b"], [aValue, bValue], ["s"], [sValue]);
        }
    }

    /// <summary>A session computing s = a·bᵀ for inputs a [m, dim] and b [n, dim] (output s [m, n]).</summary>
    public static InferenceSession CreateSession(int dim, OnnxSessionOptions? options = null)
    {
        var builder = new OnnxGraphBuilder("dot_products");
        builder.AddInput("a", OnnxElementType.Float, "m", dim);
        builder.AddInput("b", OnnxElementType.Float, "n", dim);
        builder.NodeWithOutputs("Gemm", ["a", "b"], ["s"], OnnxAttribute.Int("transB", 1));
        builder.AddOutput("s", OnnxElementType.Float, "m", "n");
        return OnnxSessionFactory.Create(builder.ToBytes(), options);
    }
}
