using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ReId.Training.Text;

namespace ReId.Training.Tests.Text;

/// <summary>
/// A CLIP-shaped vocabulary small enough to compute ids by hand: the 256 byte symbols (ids 0–255, code-point
/// order), the same with "&lt;/w&gt;" (256–511), nine merges (512–520), start (521) and end (522) of text.
/// </summary>
internal static class TinyClipVocabulary
{
    public const int Sot = 521, Eot = 522;

    public static readonly (string Left, string Right)[] Merges =
    [
        ("h", "e"),          // 512 he
        ("l", "l"),          // 513 ll
        ("l", "o</w>"),      // 514 lo</w>
        ("he", "ll"),        // 515 hell
        ("hell", "o</w>"),   // 516 hello</w>
        ("t", "h"),          // 517 th
        ("th", "e</w>"),     // 518 the</w>
        ("h", "e</w>"),      // 519 he</w>
        ("'", "s</w>"),      // 520 's</w>
    ];

    // GPT-2's byte symbols written out independently of the library: printable Latin-1 stands for itself,
    // the remaining bytes take U+0100.. in byte order; sorted by code point that is the vocabulary's order.
    public static List<string> ByteSymbols()
    {
        var printable = new List<int>();
        for (int b = '!'; b <= '~'; b++) printable.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) printable.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) printable.Add(b);
        var symbols = printable.Select(b => ((char)b).ToString()).ToList();
        int n = 0;
        for (int b = 0; b < 256; b++)
            if (!printable.Contains(b)) symbols.Add(((char)(256 + n++)).ToString());
        return symbols;
    }

    public static Dictionary<string, int> Vocabulary()
    {
        var tokens = ByteSymbols();
        tokens.AddRange(ByteSymbols().Select(s => s + "</w>"));
        tokens.AddRange(Merges.Select(m => m.Left + m.Right));
        tokens.Add("<|startoftext|>");
        tokens.Add("<|endoftext|>");
        return tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
    }

    public static string MergesText() => "#version: 0.2\n" + string.Concat(Merges.Select(m => $"{m.Left} {m.Right}\n"));

    public static (string Vocab, string Merges) WriteHuggingFace(string dir)
    {
        string vocab = Path.Combine(dir, "vocab.json"), merges = Path.Combine(dir, "merges.txt");
        File.WriteAllText(vocab, JsonSerializer.Serialize(Vocabulary()), new UTF8Encoding(false));
        File.WriteAllText(merges, MergesText(), new UTF8Encoding(false));
        return (vocab, merges);
    }

    public static string WriteOpenAiGz(string dir)
    {
        string path = Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz");
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Optimal);
        gz.Write(Encoding.UTF8.GetBytes(MergesText()));
        return path;
    }

    public static ClipTokenizer Create() => new(Vocabulary(), Merges);
}
