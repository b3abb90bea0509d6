using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ReId.MLNet.Features;

/// <summary>
/// Finds NaN and ±∞ in embeddings and distance matrices, so every entry point can refuse them with the row at fault
/// instead of ranking by garbage (a NaN distance sorts arbitrarily and silently changes mAP).
/// </summary>
/// <remarks>
/// A float is non-finite exactly when its eight exponent bits are all ones, so the scan ANDs whole SIMD vectors of the raw bits with
/// the exponent mask and compares: one load, one AND and one compare per <see cref="Vector{T}.Count"/> values. It runs at memory
/// bandwidth (a 100,000 × 512 gallery is about 200 MB, a few tens of milliseconds), less than the copy every entry point makes anyway.
/// </remarks>
public static class FiniteValues
{
    private const int ExponentMask = 0x7F80_0000;

    /// <summary>Index of the first NaN or ±∞ in <paramref name="values"/>, or −1 when all are finite.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, int>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<int>.Count)
        {
            var mask = new Vector<int>(ExponentMask);
            var vectors = MemoryMarshal.Cast<int, Vector<int>>(bits);
            for (int v = 0; v < vectors.Length; v++)
            {
                if (Vector.EqualsAny(vectors[v] & mask, mask))
                {
                    i = v * Vector<int>.Count;
                    break;
                }
                i = (v + 1) * Vector<int>.Count;
            }
        }
        for (; i < bits.Length; i++)
            if ((bits[i] & ExponentMask) == ExponentMask) return i;
        return -1;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="what"/> (a parameter or column) and the first bad row and column.</summary>
    public static void ThrowIfNonFinite(ReadOnlySpan<float> values, int dim, string what)
    {
        int at = IndexOfNonFinite(values);
        if (at >= 0) throw new ArgumentException(Describe(what, values[at], at, dim) + "; embeddings and distances must be finite");
    }

    /// <summary>Throws an <see cref="InvalidDataException"/> naming the file and the first bad row and column.</summary>
    internal static void ThrowIfNonFiniteInFile(ReadOnlySpan<float> values, int dim, string path)
    {
        int at = IndexOfNonFinite(values);
        if (at >= 0) throw new InvalidDataException(Describe($"'{path}'", values[at], at, dim) + "; feature files must hold finite embeddings");
    }

    /// <summary>
    /// The three distance matrices of re-ranking (row-major, q×g, q×q, g×g): an <see cref="ArgumentException"/> names the matrix and
    /// the first bad row.
    /// </summary>
    public static void ThrowIfNonFiniteDistances(ReadOnlySpan<float> queryGallery, ReadOnlySpan<float> queryQuery, ReadOnlySpan<float> galleryGallery,
        int numQuery, int numGallery)
    {
        ThrowIfNonFinite(queryGallery, numGallery, "query×gallery distance matrix");
        ThrowIfNonFinite(queryQuery, numQuery, "query×query distance matrix");
        ThrowIfNonFinite(galleryGallery, numGallery, "gallery×gallery distance matrix");
    }

    private static string Describe(string what, float value, int index, int dim)
    {
        string kind = float.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞";
        return dim > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: row {index / dim} (counting from 0) holds {kind} at column {index % dim}")
            : string.Create(CultureInfo.InvariantCulture, $"{what}: value {index} is {kind}");
    }
}
