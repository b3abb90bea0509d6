using System.IO.Compression;
using System.Text;
using ReId.MLNet.Tests.Fuzzing;
using ReId.Training.Tests.Text;
using ReId.Training.Text;
using ReId.Training.Weights;

namespace ReId.Training.Tests.Fuzzing;

/// <summary>
/// The ReId.Training readers of outside files over mutated copies of valid files (REID_FUZZ_COUNT each): safetensors and CLIP's
/// vocabulary files. Each input is read or refused with an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class WeightsAndVocabularyFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reid-fuzz-train").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static bool Refused(Exception e) => e is InvalidDataException;

    [Fact]
    public void Safetensors()
    {
        string path = Path.Combine(_dir, "w.safetensors");
        var rng0 = new Random(3);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)rng0.NextDouble()).ToArray();
        new SafetensorsFile(
            [new("conv.weight", [2, 3, 2, 2], Values(24)), new("bn.bias", [3], Values(3)), new("scalar", [], Values(1)), new("empty", [0, 4], [])],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "fuzz" }).Write(path, SafetensorsDType.F16);
        byte[] seed = File.ReadAllBytes(path);
        int headerLength = (int)BitConverter.ToUInt64(seed, 0);
        FuzzRunner.Run("safetensors", rng =>
        {
            File.WriteAllBytes(path, rng.Next(3) == 0 ? RebuiltHeader(seed, headerLength, rng) : ByteMutator.Mutate(seed, rng, 8, 8 + headerLength));
            return path;
        }, () => SafetensorsFile.Read(path), Refused, size => 8 * size + (256 << 10));
    }

    /// <summary>The JSON header mutated (numbers made extreme, dtypes and shapes wrong) and written back with a correct length field.</summary>
    private static byte[] RebuiltHeader(byte[] seed, int headerLength, Random rng)
    {
        byte[] json = ByteMutator.Mutate(seed.AsSpan(8, headerLength).ToArray(), rng);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. seed.AsSpan(8 + headerLength)];
    }

    [Fact]
    public void HuggingFaceVocabJson()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        FuzzTokenizer("vocab.json", vocab, () => ClipTokenizer.FromFiles(vocab, merges));
    }

    [Fact]
    public void HuggingFaceMergesTxt()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        FuzzTokenizer("merges.txt", merges, () => ClipTokenizer.FromFiles(vocab, merges));
    }

    [Fact]
    public void OpenAiBpeGz()
    {
        string gz = TinyClipVocabulary.WriteOpenAiGz(_dir);
        byte[] plain = Encoding.UTF8.GetBytes(TinyClipVocabulary.MergesText());
        byte[] seed = File.ReadAllBytes(gz);
        FuzzRunner.Run("bpe_simple_vocab .gz", rng =>
        {
            // Half the time the compressed bytes are damaged (gzip's own checks), half the time the text inside is.
            File.WriteAllBytes(gz, rng.Next(2) == 0 ? ByteMutator.Mutate(seed, rng, 0, 0) : Gzip(ByteMutator.Mutate(plain, rng)));
            return gz;
        }, () => ClipTokenizer.FromFiles(gz), Refused, _ => 16 << 20, () => plain.Length);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest)) z.Write(data);
        return ms.ToArray();
    }

    private static void FuzzTokenizer(string reader, string file, Action read)
    {
        byte[] seed = File.ReadAllBytes(file);
        FuzzRunner.Run(reader, rng =>
        {
            File.WriteAllBytes(file, ByteMutator.Mutate(seed, rng));
            return file;
        }, read, Refused, size => 256 * size + (16 << 20));
    }
}
