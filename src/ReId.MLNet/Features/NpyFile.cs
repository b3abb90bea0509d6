using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ReId.MLNet.IO;

namespace ReId.MLNet.Features;

/// <summary>Reads and writes float32 [N, D] C-order NumPy <c>.npy</c> files (format 1.0 and 2.0), so Python users can load features with numpy.</summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    /// <summary>Writes <paramref name="data"/> as a [rows, dim] float32 array, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, int rows, int dim)
    {
        if (rows < 0 || dim < 0 || (long)rows * dim != data.Length)
            throw new ArgumentException($"{data.Length} floats are not a [{rows}, {dim}] matrix");
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] bytes = new byte[Magic.Length + 4 + header.Length + data.Length * 4];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        var payload = bytes.AsSpan(10 + header.Length);
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data).CopyTo(payload);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(payload[(i * 4)..], data[i]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Reads a float32 2-D array; any other dtype, order or rank is an error naming the file. The values are read straight into
    /// the returned array (no second copy of a large gallery).
    /// </summary>
    public static (float[] Data, int Rows, int Dim) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"feature file '{path}' does not exist", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long length = file.Length;
        Span<byte> prefix = stackalloc byte[12];
        int got = file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a .npy file (the magic string \\x93NUMPY is missing)");
        int major = prefix[6];
        long headerLength;
        int offset;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]); offset = 10; }
        else if (major is 2 or 3)
        {
            if (got < 12) throw new InvalidDataException($"'{path}' is truncated inside its .npy header");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
            if (len > length) throw new InvalidDataException($"'{path}' declares a {len}-byte header but holds {length} bytes");
            headerLength = len; offset = 12;
        }
        else throw new InvalidDataException($"'{path}' uses .npy format version {major}; expected 1, 2 or 3");
        if (offset + headerLength > length) throw new InvalidDataException($"'{path}' is truncated inside its .npy header");
        var headerBytes = new byte[headerLength];
        file.Position = offset;
        file.ReadExactly(headerBytes);
        string header = Encoding.ASCII.GetString(headerBytes);
        string descr = DescrPattern().Match(header) is { Success: true } d ? d.Groups[1].Value : throw Bad(path, "has no 'descr'");
        if (descr is not ("<f4" or "=f4" or "f4"))
            throw new InvalidDataException($"'{path}' holds dtype '{descr}'; expected float32 ('<f4')");
        if (FortranPattern().Match(header) is { Success: true } f && f.Groups[1].Value == "True")
            throw new InvalidDataException($"'{path}' is in Fortran order; expected C order");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw Bad(path, "has no 'shape'");
        long[] shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : throw Bad(path, $"has a malformed shape '{shapeMatch.Groups[1].Value}'")).ToArray();
        if (shape.Length != 2) throw new InvalidDataException($"'{path}' has shape ({string.Join(", ", shape)}); expected a 2-D [N, D] array");
        // Each dimension must fit an int (rows and columns are ints everywhere); the product is then exact in a long.
        if (shape[0] > int.MaxValue || shape[1] > int.MaxValue)
            throw new InvalidDataException($"'{path}' has shape ({shape[0]}, {shape[1]}); each dimension must be at most {int.MaxValue}");
        long count = shape[0] * shape[1];
        long dataStart = offset + headerLength;
        if (count > Array.MaxLength || dataStart + count * 4 != length)
            throw new InvalidDataException($"'{path}' should hold {count} float32 values after its header ({count * 4} bytes) but has {length - dataStart} bytes");
        var data = LargeArrays.UninitializedFloats((int)count); // every element is read from the file below
        // A chunk at a time: a byte view of more than 2 GiB of floats would not fit a span.
        for (long start = 0; start < count; start += 1 << 28)
        {
            var target = MemoryMarshal.AsBytes(data.AsSpan((int)start, (int)Math.Min(1 << 28, count - start)));
            int read = file.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
            if (read < target.Length)
                throw new InvalidDataException($"'{path}' ended early, inside its data (was it being written?)");
        }
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(data), MemoryMarshal.Cast<float, int>(data.AsSpan()));
        FiniteValues.ThrowIfNonFiniteInFile(data, (int)shape[1], path);
        return (data, (int)shape[0], (int)shape[1]);
    }

    private static InvalidDataException Bad(string path, string what) => new($"'{path}' .npy header {what}");
}
