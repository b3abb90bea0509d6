using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ReId.Training.Weights;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw data).
/// Every header field is validated before anything proportional to it is allocated, so a hostile or
/// truncated file gives an <see cref="InvalidDataException"/> naming the file and the tensor, never a crash.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Largest header accepted; real checkpoints have headers of a few hundred kilobytes.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>Creates a file model from tensors and optional string metadata.</summary>
    public SafetensorsFile(IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (t.Shape.Any(d => d < 0))
                throw new ArgumentException($"Tensor '{t.Name}' has a negative dimension.", nameof(tensors));
            if (t.ElementCount != t.Data.Length)
                throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.Length} values but its shape [{string.Join(",", t.Shape)}] needs {t.ElementCount}.", nameof(tensors));
            if (!Tensors.TryAdd(t.Name, t))
                throw new ArgumentException($"Tensor name '{t.Name}' appears twice.", nameof(tensors));
        }
        Metadata = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
    }

    /// <summary>Tensors by name.</summary>
    public Dictionary<string, SafetensorsTensor> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> string map (empty when absent).</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>Reads and validates a safetensors file; F16 and BF16 values are widened to float32.</summary>
    public static SafetensorsFile Read(string path) => Read(path, skip: null);

    /// <summary>The tensor names of a safetensors file, from its (validated) header only; no tensor data is read.</summary>
    public static IReadOnlyList<string> ReadNames(string path)
    {
        var names = new List<string>();
        Read(path, name => { names.Add(name); return true; });
        return names;
    }

    /// <summary>The header's <c>__metadata__</c> map, from the (validated) header only; no tensor data is read.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => Read(path, _ => true).Metadata;

    /// <summary>
    /// Same as <see cref="Read(string)"/>, leaving out the tensors whose names <paramref name="skip"/> accepts without
    /// looking at their entries (so a skipped integer tensor such as BatchNorm's <c>num_batches_tracked</c> does not fail the read).
    /// </summary>
    internal static SafetensorsFile Read(string path, Func<string, bool>? skip)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Bad(path, $"the file has {fileLength} bytes; expected at least 8 (the header length)");

        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen > (ulong)MaxHeaderBytes)
            throw Bad(path, $"the header length {headerLen} exceeds the {MaxHeaderBytes}-byte limit");
        if ((long)headerLen > fileLength - 8)
            throw Bad(path, $"the header length {headerLen} is larger than the {fileLength - 8} bytes after the length field (truncated file?)");
        if (headerLen < 2)
            throw Bad(path, $"the header length {headerLen} is too small for a JSON object");

        var header = new byte[(int)headerLen];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLen;
        long dataLength = fileLength - dataStart;

        var entries = ParseHeader(path, header, dataLength, skip, out var metadata);

        var tensors = new List<SafetensorsTensor>(entries.Count);
        byte[] buffer = [];
        foreach (var e in entries)
        {
            int bytes = checked((int)(e.End - e.Begin));
            if (buffer.Length < bytes)
                buffer = new byte[bytes];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(buffer, 0, bytes);
            var data = new float[e.Count];
            Decode(buffer.AsSpan(0, bytes), e.DType, data);
            tensors.Add(new SafetensorsTensor(e.Name, e.Shape, data, e.DType));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    /// <summary>
    /// Writes the tensors atomically (temporary file in the same folder, then rename), each in
    /// <paramref name="dtype"/> (F32 or F16; BF16 by truncation-free rounding to nearest even).
    /// </summary>
    public void Write(string path, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        int elementSize = ElementSize(dtype);

        var names = Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        byte[] headerJson;
        using (var ms = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                if (Metadata.Count > 0)
                {
                    w.WriteStartObject(MetadataKey);
                    foreach (var (k, v) in Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                        w.WriteString(k, v);
                    w.WriteEndObject();
                }
                long offset = 0;
                foreach (var name in names)
                {
                    var t = Tensors[name];
                    long size = t.ElementCount * elementSize;
                    w.WriteStartObject(name);
                    w.WriteString("dtype", DTypeName(dtype));
                    w.WriteStartArray("shape");
                    foreach (var d in t.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                    w.WriteStartArray("data_offsets");
                    w.WriteNumberValue(offset);
                    w.WriteNumberValue(offset + size);
                    w.WriteEndArray();
                    w.WriteEndObject();
                    offset += size;
                }
                w.WriteEndObject();
            }
            headerJson = ms.ToArray();
        }
        // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int padded = (headerJson.Length + 7) / 8 * 8;

        // Temporary sibling, flush, rename: a failed or killed write leaves the previous file as it was.
        ReId.MLNet.IO.AtomicFile.Write(full, fs =>
        {
            byte[] len = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            fs.Write(len);
            fs.Write(headerJson);
            for (int i = headerJson.Length; i < padded; i++) fs.WriteByte((byte)' ');
            byte[] chunk = new byte[1 << 16];
            foreach (var name in names)
            {
                var data = Tensors[name].Data;
                int perChunk = chunk.Length / elementSize;
                for (int start = 0; start < data.Length; start += perChunk)
                {
                    int count = Math.Min(perChunk, data.Length - start);
                    Encode(data.AsSpan(start, count), dtype, chunk);
                    fs.Write(chunk, 0, count * elementSize);
                }
            }
        });
    }

    /// <summary>Size in bytes of one element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => 4,
        SafetensorsDType.F16 => 2,
        SafetensorsDType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static string DTypeName(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.BF16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private sealed record Entry(string Name, SafetensorsDType DType, long[] Shape, long Count, long Begin, long End);

    private static List<Entry> ParseHeader(string path, byte[] header, long dataLength, Func<string, bool>? skip, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"the header is not valid JSON ({ex.Message})");
        }
        using (doc)
        {
            try
            {
                return ParseEntries(path, doc, dataLength, skip, metadata);
            }
            catch (InvalidOperationException ex)
            {
                // JsonDocument validates UTF-8 only when a string is decoded (a name or a metadata value).
                throw Bad(path, $"the header holds a string that is not valid UTF-8 ({ex.Message})");
            }
        }
    }

    private static List<Entry> ParseEntries(string path, JsonDocument doc, long dataLength, Func<string, bool>? skip, Dictionary<string, string> metadata)
    {
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw Bad(path, "the header is not a JSON object");
        var entries = new List<Entry>();
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == MetadataKey)
            {
                if (prop.Value.ValueKind != JsonValueKind.Object)
                    throw Bad(path, "'__metadata__' is not an object of strings");
                foreach (var m in prop.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String)
                        throw Bad(path, $"metadata entry '{m.Name}' is not a string");
                    metadata[m.Name] = m.Value.GetString()!;
                }
                continue;
            }
            if (skip?.Invoke(prop.Name) == true) continue;
            entries.Add(ParseEntry(path, prop, dataLength));
        }

        // Overlapping tensors would alias memory in the reference implementation; refuse them.
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw Bad(path, $"tensor '{sorted[i].Name}' (bytes {sorted[i].Begin}..{sorted[i].End}) overlaps tensor '{sorted[i - 1].Name}' (bytes {sorted[i - 1].Begin}..{sorted[i - 1].End})");
        return entries;
    }

    private static Entry ParseEntry(string path, JsonProperty prop, long dataLength)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"tensor '{name}' is not a JSON object with dtype, shape and data_offsets");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{name}' has no string 'dtype'");
        string dtypeName = dtypeEl.GetString()!;
        SafetensorsDType dtype = dtypeName switch
        {
            "F32" => SafetensorsDType.F32,
            "F16" => SafetensorsDType.F16,
            "BF16" => SafetensorsDType.BF16,
            _ => throw Bad(path, $"tensor '{name}' has dtype '{dtypeName}'; expected F32, F16 or BF16"),
        };
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{name}' has no 'shape' array");
        if (shapeEl.GetArrayLength() > 16)
            throw Bad(path, $"tensor '{name}' has {shapeEl.GetArrayLength()} dimensions; at most 16 are accepted");
        var shape = new long[shapeEl.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw Bad(path, $"tensor '{name}' has shape entry {d}; expected a non-negative integer");
            shape[i++] = dim;
            // Bounded by the data section below; saturate to avoid overflow on absurd shapes.
            count = dim != 0 && count > long.MaxValue / 4 / dim ? long.MaxValue / 4 : count * dim;
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' has no 'data_offsets' pair");
        long begin = OffsetValue(path, name, offEl[0]);
        long end = OffsetValue(path, name, offEl[1]);
        if (begin > end)
            throw Bad(path, $"tensor '{name}' has data_offsets [{begin}, {end}]; begin is after end");
        if (end > dataLength)
            throw Bad(path, $"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength}-byte data section (truncated file?)");
        long expectedBytes = count * ElementSize(dtype);
        if (expectedBytes != end - begin)
            throw Bad(path, $"tensor '{name}' has shape [{string.Join(",", shape)}] of {dtypeName} ({expectedBytes} bytes) but data_offsets span {end - begin} bytes");
        if (count > Array.MaxLength)
            throw Bad(path, $"tensor '{name}' has {count} elements; more than one array can hold");
        return new Entry(name, dtype, shape, count, begin, end);
    }

    private static long OffsetValue(string path, string name, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long value) || value < 0)
            throw Bad(path, $"tensor '{name}' has data offset {e}; expected a non-negative integer");
        return value;
    }

    private static void Decode(ReadOnlySpan<byte> src, SafetensorsDType dtype, Span<float> dst)
    {
        switch (dtype)
        {
            case SafetensorsDType.F32:
                if (BitConverter.IsLittleEndian)
                    src.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(dst));
                else
                    for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < dst.Length; i++)
                    dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16);
                break;
        }
    }

    private static void Encode(ReadOnlySpan<float> src, SafetensorsDType dtype, Span<byte> dst)
    {
        switch (dtype)
        {
            case SafetensorsDType.F32:
                for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(4 * i)..], src[i]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(dst[(2 * i)..], (Half)src[i]);
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < src.Length; i++)
                {
                    uint bits = BitConverter.SingleToUInt32Bits(src[i]);
                    // Round to nearest even; NaN keeps a quiet NaN pattern.
                    uint rounded = float.IsNaN(src[i]) ? 0x7FC00000u : bits + 0x7FFFu + ((bits >> 16) & 1u);
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], (ushort)(rounded >> 16));
                }
                break;
        }
    }

    private static InvalidDataException Bad(string path, string what) =>
        new($"Safetensors file '{path}': {what}.");
}
