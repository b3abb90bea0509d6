using System.Buffers.Binary;
using System.Text;
using ReId.Training.Weights;

namespace ReId.Training.Tests.Weights;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("st-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SafetensorsFile Sample() => new(
        [
            new SafetensorsTensor("a.weight", [2, 3], [1f, -2f, 3.5f, 0f, 1e-3f, -7.25f]),
            new SafetensorsTensor("b", [], [42f]),
            new SafetensorsTensor("empty", [0, 4], []),
        ],
        new Dictionary<string, string> { ["format"] = "pt" });

    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void RoundTripKeepsNamesShapesValuesAndMetadata(SafetensorsDType dtype)
    {
        var path = Path.Combine(_dir, "w.safetensors");
        Sample().Write(path, dtype);
        var back = SafetensorsFile.Read(path);
        Assert.Equal("pt", back.Metadata["format"]);
        Assert.Equal(3, back.Tensors.Count);
        var a = back.Tensors["a.weight"];
        Assert.Equal(new long[] { 2, 3 }, a.Shape);
        Assert.Equal(dtype, a.StoredType);
        float tol = dtype switch { SafetensorsDType.F32 => 0f, SafetensorsDType.F16 => 4e-3f, _ => 3e-2f };
        float[] expected = [1f, -2f, 3.5f, 0f, 1e-3f, -7.25f];
        for (int i = 0; i < 6; i++)
            Assert.InRange(a.Data[i], expected[i] - tol * Math.Max(1, Math.Abs(expected[i])), expected[i] + tol * Math.Max(1, Math.Abs(expected[i])));
        Assert.Equal(42f, back.Tensors["b"].Data[0]);
        Assert.Empty(back.Tensors["empty"].Data);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void HeaderIsAlignedAndFollowsTheFormat()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        Sample().Write(path);
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, n % 8);
        var json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Contains("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[", json);
        // a.weight sorts first and starts the data section; its first value is 1.0f.
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        Assert.Equal(8 + (long)n + 6 * 4 + 4, bytes.Length);
    }

    [Fact]
    public void ReadsBf16AndF16BitPatternsExactly()
    {
        // 0x3F80 is 1.0 in bfloat16, 0xC000 is -2.0; 0x3C00 is 1.0 in half, 0xC500 is -5.0.
        var path = Write("{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
            [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3C, 0x00, 0xC5]);
        var f = SafetensorsFile.Read(path);
        Assert.Equal(new[] { 1f, -2f }, f.Tensors["x"].Data);
        Assert.Equal(new[] { 1f, -5f }, f.Tensors["y"].Data);
    }

    private string Write(string header, byte[] data, ulong? headerLength = null, int? truncateTo = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, truncateTo is int t ? bytes[..t] : bytes);
        return path;
    }

    private static void AssertBad(string path, params string[] fragments)
    {
        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, ex.Message);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
    }

    private const string Good = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    [Fact]
    public void FileShorterThanTheLengthFieldIsRejected() =>
        AssertBad(Write(Good, new byte[8], truncateTo: 5), "at least 8");

    [Fact]
    public void TruncatedDataSectionNamesTheTensor() =>
        AssertBad(Write(Good, new byte[8], truncateTo: 8 + Good.Length + 4), "'t'", "outside");

    [Fact]
    public void HeaderLengthLargerThanTheFileIsRejectedWithoutAllocatingIt() =>
        AssertBad(Write(Good, new byte[8], headerLength: 1_000_000), "header length 1000000");

    [Fact]
    public void HugeHeaderLengthIsRejected() =>
        AssertBad(Write(Good, new byte[8], headerLength: ulong.MaxValue), "exceeds");

    [Fact]
    public void OffsetsOutOfRangeAreRejected() =>
        AssertBad(Write("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8000000000]}}", new byte[8]), "'t'", "outside");

    [Fact]
    public void ShapeThatDisagreesWithByteLengthIsRejected() =>
        AssertBad(Write("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "'t'", "12 bytes", "span 8");

    [Fact]
    public void AbsurdShapeDoesNotOverflowIntoAMatch() =>
        AssertBad(Write("{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", []), "'t'");

    [Fact]
    public void UnknownDTypeIsRejected() =>
        AssertBad(Write("{\"t\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}}", new byte[8]), "'t'", "'I8'");

    [Fact]
    public void NegativeDimensionIsRejected() =>
        AssertBad(Write("{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "'t'", "non-negative");

    [Fact]
    public void OverlappingTensorsAreRejected() =>
        AssertBad(Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "overlaps");

    [Fact]
    public void InvalidJsonIsRejected() =>
        AssertBad(Write("{\"t\":[1,2", new byte[8]), "not valid JSON");
}
