using System.IO.Compression;
using ReId.Training.Text;

namespace ReId.Training.Tests.Text;

/// <summary>Hostile vocabulary files are refused with the file named, within a bounded amount of memory.</summary>
public sealed class ClipTokenizerLimitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cliptok-limits").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AGzipBombIsRefusedBeforeItFillsMemory()
    {
        string path = Path.Combine(_dir, "bomb.txt.gz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Optimal))
        {
            gz.Write("#version: 0.2\n"u8);
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (int i = 0; i < 80; i++) gz.Write(spaces); // 80 MB of text in well under a megabyte of file
        }
        Assert.True(new FileInfo(path).Length < 1 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("more than 64 M characters", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 512L << 20, "the reader should stop near its 64 M-character bound");
    }

    [Fact]
    public void RepeatedMergesAndHugeIdsAreNamed()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        File.AppendAllText(merges, "h e\n");
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));
        Assert.Contains("repeats merge #1", e.Message);

        var ids = TinyClipVocabulary.Vocabulary();
        ids[ClipTokenizer.EndOfText] = int.MaxValue;
        File.WriteAllText(vocab, System.Text.Json.JsonSerializer.Serialize(ids));
        e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));
        Assert.Contains(vocab, e.Message);
        Assert.Contains("2147483647", e.Message);
    }
}
