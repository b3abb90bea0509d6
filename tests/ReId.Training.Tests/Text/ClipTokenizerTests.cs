using System.Text;
using ReId.Training.Text;

namespace ReId.Training.Tests.Text;

// Ids by hand: a printable ASCII character c is c − 0x21 (e.g. 'h' = 71), the same with </w> is 256 more,
// merges are 512–520 in TinyClipVocabulary's order, start 521, end 522.
public sealed class ClipTokenizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cliptok").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ClipTokenizer FromHfFiles()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        return ClipTokenizer.FromFiles(vocab, merges);
    }

    [Fact]
    public void WordNeedingSeveralMergesIsMergedInRankOrder()
    {
        var tok = FromHfFiles();
        // hello: h e l l o</w> → (h,e) → (l,l) beats (l,o</w>) → (he,ll) → (hell,o</w>) = 516.
        Assert.Equal([516], tok.Encode("hello"));
        // llo: (l,l) ranks before (l,o</w>), leaving ll + o</w>.
        Assert.Equal([513, 78 + 256], tok.Encode("llo"));
        // the: (t,h) ranks before (h,e</w>), so th + e</w> → the</w>; alone, "he" takes (h,e</w>).
        Assert.Equal([518], tok.Encode("the"));
        Assert.Equal([519], tok.Encode("he"));
    }

    [Fact]
    public void EndOfWordSuffixGoesOnTheLastSymbolOnly()
    {
        var tok = FromHfFiles();
        // hell: the final l is "l</w>", so (l,l) does not apply at the end of the word.
        Assert.Equal([512, 75, 75 + 256], tok.Encode("hell"));
        // A one-letter word is its symbol with </w>.
        Assert.Equal([64 + 256], tok.Encode("a"));
    }

    [Fact]
    public void TextIsLowerCasedAndSplitIntoWordsPunctuationAndSingleDigits()
    {
        var tok = FromHfFiles();
        // hello , w o r l d</w> !</w>
        Assert.Equal([516, 11 + 256, 86, 78, 81, 75, 67 + 256, 0 + 256], tok.Encode("Hello, WORLD!"));
        // room 4 2 ...: digits one by one, a punctuation run as one word.
        Assert.Equal([81, 78, 78, 76 + 256, 19 + 256, 17 + 256, 13, 13, 13 + 256], tok.Encode("room 42..."));
    }

    [Fact]
    public void ApostropheContractionIsItsOwnWord()
    {
        var tok = FromHfFiles();
        // he 's the he l l</w>
        Assert.Equal([519, 520, 518, 512, 75, 75 + 256], tok.Encode("He's the hell"));
    }

    [Fact]
    public void HtmlEntitiesAndWhitespaceAreCleanedAsClipDoes()
    {
        Assert.Equal("a & \"b\" c", ClipTokenizer.Clean("  A\t&amp;amp;\n \u201CB\u201D   C "));
        var tok = FromHfFiles();
        Assert.Equal([64 + 256, 5 + 256, 65 + 256], tok.Encode("  A\t&amp;amp;\n B  "));
    }

    [Fact]
    public void NonAsciiTextIsEncodedThroughItsUtf8BytesAndDecodedBack()
    {
        var tok = FromHfFiles();
        // é = C3 A9; byte C3 is symbol 'Ã' (id 127), byte A9 is '©' (id 102, 358 with </w>).
        var ids = tok.Encode("Café");
        Assert.Equal([66, 64, 69, 127, 102 + 256], ids);
        Assert.Equal("café", tok.Decode(ids));
    }

    [Fact]
    public void SpecialTokensWrittenInTheTextAreKept()
    {
        var tok = FromHfFiles();
        Assert.Equal(TinyClipVocabulary.Sot, tok.SotToken);
        Assert.Equal(TinyClipVocabulary.Eot, tok.EotToken);
        Assert.Equal([TinyClipVocabulary.Sot, 516, TinyClipVocabulary.Eot], tok.Encode("<|startoftext|>hello<|endoftext|>"));
    }

    [Fact]
    public void TokenizeAddsStartAndEndAndPadsWithZeros()
    {
        var tok = FromHfFiles();
        Assert.Equal([521, 516, 522, 0, 0, 0], tok.Tokenize("hello", 6));
        Assert.Equal(77, tok.Tokenize("hello").Length);
        var batch = tok.Tokenize(["hello", "the he"], 5);
        Assert.Equal(new long[,] { { 521, 516, 522, 0, 0 }, { 521, 518, 519, 522, 0 } }, batch);
    }

    [Fact]
    public void TruncationKeepsTheEndTokenLastAndRefusalNamesTheText()
    {
        var tok = FromHfFiles();
        Assert.Equal([521, 516, 86, 522], tok.Tokenize("hello world", 4));
        Assert.Equal([521, 516, 522], tok.Tokenize("hello", 3, truncate: false));
        var ex = Assert.Throws<ArgumentException>(() => tok.Tokenize("hello world", 4, truncate: false));
        Assert.Contains("hello world", ex.Message);
    }

    [Fact]
    public void DecodeSkipsStartStopsAtEndAndSpacesWords()
    {
        var tok = FromHfFiles();
        Assert.Equal("hello , world ! the", tok.Decode(tok.Tokenize("Hello, WORLD! the", 20)));
    }

    [Fact]
    public void OpenAiGzipFileGivesTheSameIdsAsTheHuggingFaceFiles()
    {
        var hf = FromHfFiles();
        var gz = ClipTokenizer.FromFiles(TinyClipVocabulary.WriteOpenAiGz(_dir));
        Assert.Equal(hf.SotToken, gz.SotToken);
        Assert.Equal(hf.EotToken, gz.EotToken);
        Assert.Equal(hf.VocabSize, gz.VocabSize);
        foreach (var text in new[] { "Hello, WORLD!", "He's the hell", "room 42...", "Café llo", "<|endoftext|>" })
            Assert.Equal(hf.Tokenize(text, 16), gz.Tokenize(text, 16));
    }

    [Fact]
    public void MergingMatchesClipsMergeEveryOccurrenceOfTheBestPairLoop()
    {
        var rng = new Random(5);
        string RandomWord(int max) => new(Enumerable.Range(0, rng.Next(1, max + 1)).Select(_ => "abc"[rng.Next(3)]).ToArray());
        var merges = LearnMerges(Enumerable.Range(0, 300).Select(_ => RandomWord(9)).ToList(), 40);
        var vocab = new Dictionary<string, int>();
        foreach (var t in TinyClipVocabulary.ByteSymbols().Concat(TinyClipVocabulary.ByteSymbols().Select(s => s + "</w>"))
                     .Concat(merges.Select(m => m.Left + m.Right)).Append("<|startoftext|>").Append("<|endoftext|>"))
            vocab.TryAdd(t, vocab.Count);
        var tok = new ClipTokenizer(vocab, merges);
        var ranks = merges.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i);
        for (int n = 0; n < 500; n++)
        {
            string word = RandomWord(14);
            var expected = ClipBpe(word, ranks).Select(s => vocab[s]).ToList();
            Assert.Equal(expected, tok.Encode(word));
        }
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(_dir, "nope.txt.gz");
        var ex = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromFiles(path));
        Assert.Contains(path, ex.Message);
        var (vocab, _) = TinyClipVocabulary.WriteHuggingFace(_dir);
        ex = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromFiles(vocab, path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void MalformedMergesLineIsReportedWithFileAndLineNumber()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        File.WriteAllText(merges, "#version: 0.2\nh e\nh e l\n");
        var ex = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));
        Assert.Contains(merges, ex.Message);
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public void MergeOutsideTheVocabularyIsRejected()
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        File.WriteAllText(merges, "#version: 0.2\nx y\n");
        var ex = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));
        Assert.Contains("x y", ex.Message);
    }

    [Theory]
    [InlineData("[1, 2]", "object")]
    [InlineData("{\"a\": \"x\"}", "\"a\"")]
    [InlineData("{\"a\": 1.5}", "\"a\"")]
    [InlineData("not json", "JSON")]
    public void VocabularyThatIsNotAnObjectOfStringToIntIsRejected(string json, string mentioned)
    {
        var (vocab, merges) = TinyClipVocabulary.WriteHuggingFace(_dir);
        File.WriteAllText(vocab, json);
        var ex = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));
        Assert.Contains(vocab, ex.Message);
        Assert.Contains(mentioned, ex.Message);
    }

    [Fact]
    public void VocabularyWithoutSpecialTokensIsRejected()
    {
        var v = TinyClipVocabulary.Vocabulary();
        v.Remove("<|endoftext|>");
        var ex = Assert.Throws<InvalidDataException>(() => new ClipTokenizer(v, TinyClipVocabulary.Merges));
        Assert.Contains("<|endoftext|>", ex.Message);
    }

    [Fact]
    public void BpeFileWithoutHeaderPointsToVocabJson()
    {
        var (vocab, _) = TinyClipVocabulary.WriteHuggingFace(_dir);
        var ex = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab));
        Assert.Contains(vocab, ex.Message);
        Assert.Contains("merges.txt", ex.Message);
    }

    // CLIP's bpe(): the last symbol carries </w>; repeatedly take the lowest-ranked adjacent pair and merge
    // all its occurrences left to right.
    private static List<string> ClipBpe(string word, Dictionary<(string, string), int> ranks)
    {
        var symbols = word.Select(c => c.ToString()).ToList();
        symbols[^1] += "</w>";
        while (symbols.Count > 1)
        {
            (string, string)? best = null;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int r) && r < bestRank) { bestRank = r; best = (symbols[i], symbols[i + 1]); }
            if (best is not { } pair) break;
            var next = new List<string>();
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && symbols[i] == pair.Item1 && symbols[i + 1] == pair.Item2) { next.Add(pair.Item1 + pair.Item2); i++; }
                else next.Add(symbols[i]);
            }
            symbols = next;
        }
        return symbols;
    }

    // Learns merges the way BPE training does (most frequent adjacent pair first), so merged symbols are
    // only used by later merges, like CLIP's list.
    private static List<(string Left, string Right)> LearnMerges(List<string> corpus, int count)
    {
        var words = corpus.Select(w => { var s = w.Select(c => c.ToString()).ToList(); s[^1] += "</w>"; return s; }).ToList();
        var merges = new List<(string Left, string Right)>();
        for (int m = 0; m < count; m++)
        {
            var counts = new Dictionary<(string, string), int>();
            foreach (var w in words)
                for (int i = 0; i + 1 < w.Count; i++)
                    counts[(w[i], w[i + 1])] = counts.GetValueOrDefault((w[i], w[i + 1])) + 1;
            if (counts.Count == 0) break;
            var best = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1 + " " + p.Key.Item2, StringComparer.Ordinal).First().Key;
            merges.Add(best);
            for (int k = 0; k < words.Count; k++)
            {
                var w = words[k];
                var next = new List<string>();
                for (int i = 0; i < w.Count; i++)
                {
                    if (i + 1 < w.Count && w[i] == best.Item1 && w[i + 1] == best.Item2) { next.Add(best.Item1 + best.Item2); i++; }
                    else next.Add(w[i]);
                }
                words[k] = next;
            }
        }
        return merges;
    }
}
