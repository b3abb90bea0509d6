using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ReId.Training.Text;

/// <summary>
/// CLIP's byte-level BPE tokenizer (OpenAI's <c>simple_tokenizer</c>, <c>clip.tokenize</c> semantics), read from
/// Hugging Face <c>vocab.json</c> + <c>merges.txt</c> or OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c>.
/// </summary>
/// <remarks>
/// Text is cleaned as CLIP does (the English-relevant parts of ftfy, HTML unescaping twice, whitespace
/// collapsed, lower case), split with CLIP's regular expression, each piece's UTF-8 bytes mapped to GPT-2's
/// printable byte characters, then merged by Microsoft.ML.Tokenizers' BPE with the <c>&lt;/w&gt;</c>
/// end-of-word suffix. That merge step applies the lowest-ranked pair first, leftmost first, which gives the
/// same symbols as CLIP's "merge every occurrence of the best pair" loop for any merge list in which a merged
/// symbol is only used by later merges (true of CLIP's; the tests check it against that loop).
/// </remarks>
public sealed partial class ClipTokenizer
{
    /// <summary>CLIP's start-of-text token.</summary>
    public const string StartOfText = "<|startoftext|>";
    /// <summary>CLIP's end-of-text token.</summary>
    public const string EndOfText = "<|endoftext|>";
    /// <summary>Suffix marking the last symbol of a word.</summary>
    public const string EndOfWordSuffix = "</w>";
    /// <summary>Merges OpenAI's tokenizer reads from its .gz file: 49152 − 256 − 2.</summary>
    public const int OpenAiMergeCount = 49152 - 256 - 2;
    /// <summary>Largest token id + 1 accepted from a vocabulary file (CLIP's is 49408; multilingual BPEs stay far below this).</summary>
    public const int MaxTokenId = 1 << 24;
    /// <summary>Most characters read from a (possibly gzipped) merges file: a bound on what a hostile file can make us allocate.</summary>
    public const int MaxMergesFileChars = 64 << 20;

    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<int, string> _idToToken;

    /// <summary>
    /// Builds the tokenizer from a vocabulary (token → id; must hold the 256 byte characters, the same with
    /// <c>&lt;/w&gt;</c>, every merge result and the two special tokens) and the merges in rank order.
    /// </summary>
    public ClipTokenizer(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges, string source = "vocabulary")
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(merges);
        foreach (char c in ByteToChar)
        {
            if (!vocabulary.ContainsKey(c.ToString()) || !vocabulary.ContainsKey(c + EndOfWordSuffix))
                throw new InvalidDataException($"{source}: the vocabulary lacks the byte symbol '{c}' or '{c}{EndOfWordSuffix}'; a CLIP vocabulary holds all 256 byte symbols with and without '{EndOfWordSuffix}'.");
        }
        SotToken = vocabulary.TryGetValue(StartOfText, out int sot) ? sot
            : throw new InvalidDataException($"{source}: the vocabulary has no '{StartOfText}' token.");
        EotToken = vocabulary.TryGetValue(EndOfText, out int eot) ? eot
            : throw new InvalidDataException($"{source}: the vocabulary has no '{EndOfText}' token.");
        var firstRank = new Dictionary<(string, string), int>();
        for (int i = 0; i < merges.Count; i++)
        {
            var (a, b) = merges[i];
            if (!vocabulary.ContainsKey(a) || !vocabulary.ContainsKey(b) || !vocabulary.ContainsKey(a + b))
                throw new InvalidDataException($"{source}: merge #{i + 1} '{a} {b}' uses or makes a symbol that is not in the vocabulary.");
            // A pair has one rank; a repeated pair is a damaged file (and Microsoft.ML.Tokenizers' BPE refuses it with a bare ArgumentException).
            if (!firstRank.TryAdd((a, b), i))
                throw new InvalidDataException($"{source}: merge #{i + 1} '{a} {b}' repeats merge #{firstRank[(a, b)] + 1}.");
        }
        _idToToken = new Dictionary<int, string>(vocabulary.Count);
        foreach (var (token, id) in vocabulary) _idToToken[id] = token;
        VocabSize = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
        try
        {
            _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges.Select(m => m.Left + " " + m.Right),
                EndOfWordSuffix = EndOfWordSuffix,
            });
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: the BPE tokenizer refused the vocabulary and merges ({ex.Message}).", ex);
        }
    }

    /// <summary>Id of <see cref="StartOfText"/> (49406 in CLIP).</summary>
    public int SotToken { get; }

    /// <summary>Id of <see cref="EndOfText"/> (49407 in CLIP, the largest id, which is how the encoders find it).</summary>
    public int EotToken { get; }

    /// <summary>One more than the largest id (49408 in CLIP): the embedding table size the ids need.</summary>
    public int VocabSize { get; }

    /// <summary>
    /// Reads Hugging Face <c>vocab.json</c> + <c>merges.txt</c> (both paths given) or OpenAI's
    /// <c>bpe_simple_vocab_16e6.txt.gz</c> (merges only, gzip or plain text; the vocabulary is derived as CLIP does).
    /// </summary>
    public static ClipTokenizer FromFiles(string vocabOrBpeGzPath, string? mergesPath = null)
    {
        ArgumentNullException.ThrowIfNull(vocabOrBpeGzPath);
        RequireFile(vocabOrBpeGzPath, mergesPath is null ? "OpenAI's bpe_simple_vocab_16e6.txt.gz" : "a vocab.json");
        if (mergesPath is null)
            return FromOpenAiBpe(vocabOrBpeGzPath);
        RequireFile(mergesPath, "a merges.txt");
        var vocab = ReadVocabJson(vocabOrBpeGzPath);
        var lines = File.ReadAllText(mergesPath, Encoding.UTF8).Split('\n');
        int first = lines.Length > 0 && lines[0].StartsWith("#version", StringComparison.Ordinal) ? 1 : 0;
        var merges = ParseMerges(lines, first, lines.Length - first, mergesPath);
        return new ClipTokenizer(vocab, merges, $"'{vocabOrBpeGzPath}' with '{mergesPath}'");
    }

    /// <summary>Token ids of <paramref name="text"/> after CLIP's cleaning, without start/end tokens.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var bytes = new StringBuilder();
        foreach (Match m in PreTokenizer().Matches(Clean(text)))
        {
            // A special token written in the text is that token, as in CLIP (its BPE cache holds both).
            if (m.Value == StartOfText) { ids.Add(SotToken); continue; }
            if (m.Value == EndOfText) { ids.Add(EotToken); continue; }
            bytes.Clear();
            foreach (byte b in Encoding.UTF8.GetBytes(m.Value)) bytes.Append(ByteToChar[b]);
            ids.AddRange(_bpe.EncodeToIds(bytes.ToString(), considerPreTokenization: false, considerNormalization: false));
        }
        return ids;
    }

    /// <summary>
    /// CLIP's <c>clip.tokenize</c> for one text: start token, ids, end token, zero padding to
    /// <paramref name="contextLength"/>. Too long: cut with the end token kept last, or an error when
    /// <paramref name="truncate"/> is false.
    /// </summary>
    public long[] Tokenize(string text, int contextLength = 77, bool truncate = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 2);
        var ids = Encode(text);
        var row = new long[contextLength];
        int n = ids.Count + 2;
        if (n > contextLength && !truncate)
            throw new ArgumentException($"Input \"{text}\" is too long for context length {contextLength} ({n} tokens with the start and end tokens).", nameof(text));
        row[0] = SotToken;
        int kept = Math.Min(ids.Count, contextLength - 2);
        for (int i = 0; i < kept; i++) row[i + 1] = ids[i];
        row[kept + 1] = EotToken;
        return row;
    }

    /// <summary><see cref="Tokenize(string, int, bool)"/> for a batch: [texts, contextLength].</summary>
    public long[,] Tokenize(IReadOnlyList<string> texts, int contextLength = 77, bool truncate = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new long[texts.Count, contextLength];
        for (int i = 0; i < texts.Count; i++)
        {
            var row = Tokenize(texts[i], contextLength, truncate);
            for (int j = 0; j < contextLength; j++) result[i, j] = row[j];
        }
        return result;
    }

    /// <summary>
    /// Text of token ids, words separated by single spaces. Start tokens are skipped and decoding stops at
    /// the first end token (what follows is padding), so a <see cref="Tokenize(string, int, bool)"/> row decodes cleanly.
    /// </summary>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (long id in ids)
        {
            if (id == SotToken) continue;
            if (id == EotToken) break;
            if (id < int.MinValue || id > int.MaxValue || !_idToToken.TryGetValue((int)id, out var token))
                throw new ArgumentOutOfRangeException(nameof(ids), id, "Token id not in the vocabulary.");
            bool endOfWord = token.EndsWith(EndOfWordSuffix, StringComparison.Ordinal);
            if (endOfWord) token = token[..^EndOfWordSuffix.Length];
            foreach (char c in token)
            {
                if (CharToByte.TryGetValue(c, out byte b)) bytes.Add(b);
                else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
            if (endOfWord) bytes.Add((byte)' ');
        }
        // Invalid UTF-8 (a cut multi-byte character) becomes U+FFFD, as CLIP's errors="replace".
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd(' ');
    }

    /// <summary><see cref="Decode(IEnumerable{long})"/> for int ids (as returned by <see cref="Encode"/>).</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids.Select(i => (long)i));

    /// <summary>
    /// CLIP's text cleaning: the ftfy fixes that matter for English prompts (curly quotes, Latin ligatures,
    /// full-width ASCII, NFC; mojibake repair is not attempted), HTML unescaped twice, whitespace runs
    /// collapsed to one space, trimmed, lower case.
    /// </summary>
    internal static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\u02BC' or (>= '\u2018' and <= '\u201B'): sb.Append('\''); break;
                case >= '\u201C' and <= '\u201F': sb.Append('"'); break;
                case >= '\uFF01' and <= '\uFF5E': sb.Append((char)(c - 0xFF01 + 0x21)); break;
                case '\u3000': sb.Append(' '); break;
                default:
                    if (Ligatures.TryGetValue(c, out var expanded)) sb.Append(expanded);
                    else sb.Append(c);
                    break;
            }
        }
        string s = sb.ToString().Normalize(NormalizationForm.FormC);
        s = WebUtility.HtmlDecode(WebUtility.HtmlDecode(s)).Trim();
        s = Whitespace().Replace(s, " ").Trim();
        return s.ToLowerInvariant();
    }

    private static readonly Dictionary<char, string> Ligatures = new()
    {
        ['\u0132'] = "IJ", ['\u0133'] = "ij", ['\uFB00'] = "ff", ['\uFB01'] = "fi", ['\uFB02'] = "fl",
        ['\uFB03'] = "ffi", ['\uFB04'] = "ffl", ['\uFB05'] = "\u017Ft", ['\uFB06'] = "st",
    };

    // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes take the
    // characters from U+0100 upwards in byte order, so every byte is a visible, non-space character.
    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= '\u00A1' and <= '\u00AC' or >= '\u00AE' and <= '\u00FF';
            table[b] = printable ? (char)b : (char)(256 + next++);
        }
        return table;
    }

    private static ClipTokenizer FromOpenAiBpe(string path)
    {
        string text;
        try
        {
            using var file = File.OpenRead(path);
            bool gzip = file.Length >= 2 && file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
            file.Position = 0;
            using Stream content = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(content, Encoding.UTF8);
            // A few hundred compressed bytes can expand to gigabytes; CLIP's file is 1.3 MB of text, so stop well before memory runs out.
            var sb = new StringBuilder();
            var buffer = new char[1 << 16];
            for (int n; (n = reader.Read(buffer, 0, buffer.Length)) > 0;)
            {
                if (sb.Length + n > MaxMergesFileChars)
                    throw new InvalidDataException($"'{path}' holds more than {MaxMergesFileChars / (1 << 20)} M characters of text; OpenAI's BPE merges file has about 1.3 M.");
                sb.Append(buffer, 0, n);
            }
            text = sb.ToString();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}' is not a readable gzip file: {ex.Message}", ex);
        }
        var lines = text.Split('\n');
        if (!lines[0].StartsWith("#version", StringComparison.Ordinal))
        {
            string hint = text.TrimStart().StartsWith('{') ? " It looks like a vocab.json: pass merges.txt as the second path." : "";
            throw new InvalidDataException($"'{path}': the first line is not the '#version: 0.2' header of OpenAI's BPE merges file.{hint}");
        }
        // OpenAI's tokenizer skips the header line and reads the next 48894 lines, whatever the file holds after them.
        var merges = ParseMerges(lines, 1, Math.Min(OpenAiMergeCount, lines.Length - 1), path);

        // OpenAI derives the vocabulary: byte symbols (in code-point order, which is bytes_to_unicode's order),
        // the same with </w>, one symbol per merge, then the two special tokens.
        var ordered = new List<string>(512 + merges.Count + 2);
        var bytesInOrder = ByteToChar.OrderBy(c => c).Select(c => c.ToString()).ToList();
        ordered.AddRange(bytesInOrder);
        ordered.AddRange(bytesInOrder.Select(s => s + EndOfWordSuffix));
        ordered.AddRange(merges.Select(m => m.Left + m.Right));
        ordered.Add(StartOfText);
        ordered.Add(EndOfText);
        var vocab = new Dictionary<string, int>(ordered.Count, StringComparer.Ordinal);
        // A symbol reached by two merges keeps its last id, as Python's dict(zip(vocab, range(...))) does.
        for (int i = 0; i < ordered.Count; i++) vocab[ordered[i]] = i;
        return new ClipTokenizer(vocab, merges, $"'{path}'");
    }

    private static List<(string Left, string Right)> ParseMerges(string[] lines, int start, int count, string path)
    {
        var merges = new List<(string Left, string Right)>(count);
        for (int i = start; i < start + count; i++)
        {
            string line = lines[i].TrimEnd('\r');
            // A final newline leaves an empty last line; blank lines carry no merge.
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"'{path}' line {i + 1}: \"{line}\" is not a merge (two symbols separated by one space).");
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }

    private static Dictionary<string, int> ReadVocabJson(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException ex) { throw new InvalidDataException($"'{path}' is not valid JSON ({ex.Message}); expected vocab.json, an object of token → id.", ex); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}' is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}; expected vocab.json, an object of token → id.");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            var seen = new Dictionary<int, string>();
            try
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    // Ids index the embedding table; CLIP's go up to 49407, so anything near int.MaxValue is a damaged file.
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0 || id >= MaxTokenId)
                        throw new InvalidDataException($"'{path}': the id of token \"{p.Name}\" is {p.Value.GetRawText()}; expected an integer in [0, {MaxTokenId}).");
                    if (seen.TryGetValue(id, out var other))
                        throw new InvalidDataException($"'{path}': tokens \"{other}\" and \"{p.Name}\" share id {id.ToString(CultureInfo.InvariantCulture)}.");
                    if (!vocab.TryAdd(p.Name, id))
                        throw new InvalidDataException($"'{path}': token \"{p.Name}\" appears twice.");
                    seen[id] = p.Name;
                }
            }
            catch (InvalidOperationException ex)
            {
                // JsonDocument validates UTF-8 only when a name is decoded.
                throw new InvalidDataException($"'{path}' holds a token that is not valid UTF-8 ({ex.Message}).", ex);
            }
            return vocab;
        }
    }

    private static void RequireFile(string path, string expected)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tokenizer file '{path}' does not exist; expected {expected}.", path);
    }

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizer();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
