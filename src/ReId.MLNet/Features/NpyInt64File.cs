using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ReId.MLNet.IO;

namespace ReId.MLNet.Features;

/// <summary>Writes and reads int64 [N, K] C-order NumPy <c>.npy</c> files (search results: gallery row indices), for numpy users.</summary>
public static class NpyInt64File
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes <paramref name="data"/> as a [rows, columns] '&lt;i8' array, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<long> data, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != data.Length)
            throw new ArgumentException($"{data.Length} values are not a [{rows}, {columns}] matrix");
        string dict = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int padding = (64 - (Magic.Length + 4 + dict.Length + 1) % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] bytes = new byte[Magic.Length + 4 + header.Length + data.Length * 8L];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        var payload = bytes.AsSpan(10 + header.Length);
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data).CopyTo(payload);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(payload[(i * 8)..], data[i]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Reads an array written by <see cref="Write"/> (format 1.0, '&lt;i8', C order, 2-D); anything else is an error naming the file.</summary>
    public static (long[] Data, int Rows, int Columns) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic) || bytes[6] != 1)
            throw new InvalidDataException($"'{path}' is not a version 1 .npy file");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, Math.Min(headerLength, bytes.Length - 10));
        int open = header.IndexOf("'shape': (", StringComparison.Ordinal), close = open < 0 ? -1 : header.IndexOf(')', open);
        if (!header.Contains("'<i8'", StringComparison.Ordinal) || header.Contains("True", StringComparison.Ordinal) || close < 0)
            throw new InvalidDataException($"'{path}' is not a C-order int64 .npy file (header {header.Trim()})");
        var dims = header[(open + 10)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        if (dims.Length != 2 || 10 + headerLength + dims[0] * 8L * dims[1] != bytes.Length)
            throw new InvalidDataException($"'{path}' does not hold a complete 2-D int64 array");
        var data = MemoryMarshal.Cast<byte, long>(bytes.AsSpan(10 + headerLength)).ToArray();
        return (data, dims[0], dims[1]);
    }
}
