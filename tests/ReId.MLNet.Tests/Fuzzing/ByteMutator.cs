using System.Text;
using System.Text.RegularExpressions;

namespace ReId.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a valid file: bit flips, bytes set to extremes, truncation, insertion, chunk duplication and deletion,
/// and — for the textual parts of a file (JSON headers, CSV, list files) — numbers replaced by extreme values, tokens by wrong
/// types, lines dropped or repeated. Each mutation is repeatable from its (seed, index).
/// </summary>
public static partial class ByteMutator
{
    private static readonly string[] ExtremeNumbers =
    [
        "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "99999999999999999999999999", "1e308", "-0", "1.5", "NaN", "Infinity", "0x10", "", " ",
    ];

    private static readonly string[] OddTokens =
    [
        "null", "true", "\"\"", "[]", "{}", "\"F64\"", "\"I64\"", "\"U8\"", "'<f8'", "'<i4'", "'>f4'", "'|u1'", "True", "(", ")", ",", ",,",
        "\0", "\u00e9", "\uFFFD", "../", "/", "\\", "\n", "\r\n", "\"", "'", ":", "{", "}", "[", "]", "__metadata__", "<|endoftext|>", "</w>",
    ];

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex Number();

    /// <summary>One mutated copy of <paramref name="seed"/>; <paramref name="textStart"/>..<paramref name="textEnd"/> marks the textual part.</summary>
    public static byte[] Mutate(byte[] seed, Random rng, int textStart = 0, int textEnd = -1)
    {
        if (textEnd < 0) textEnd = seed.Length;
        byte[] data = seed;
        int rounds = 1 + (rng.Next(4) == 0 ? rng.Next(1, 4) : 0);
        for (int r = 0; r < rounds; r++)
            data = rng.Next(10) switch
            {
                0 or 1 => FlipBits(data, rng),
                2 => SetExtremeBytes(data, rng),
                3 => Truncate(data, rng),
                4 => Insert(data, rng),
                5 => DuplicateOrDelete(data, rng),
                _ => MutateText(data, rng, Math.Min(textStart, data.Length), Math.Min(textEnd, data.Length)),
            };
        return data;
    }

    private static byte[] FlipBits(byte[] data, Random rng)
    {
        if (data.Length == 0) return data;
        var copy = (byte[])data.Clone();
        for (int n = rng.Next(1, 9); n > 0; n--) copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
        return copy;
    }

    private static byte[] SetExtremeBytes(byte[] data, Random rng)
    {
        if (data.Length == 0) return data;
        var copy = (byte[])data.Clone();
        int at = rng.Next(copy.Length), length = Math.Min(copy.Length - at, 1 << rng.Next(4));
        byte value = (byte)(rng.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
        copy.AsSpan(at, length).Fill(value);
        return copy;
    }

    private static byte[] Truncate(byte[] data, Random rng) => data.Length == 0 ? data : data[..rng.Next(data.Length)];

    private static byte[] Insert(byte[] data, Random rng)
    {
        var extra = new byte[1 << rng.Next(6)];
        rng.NextBytes(extra);
        int at = rng.Next(data.Length + 1);
        return [.. data.AsSpan(0, at), .. extra, .. data.AsSpan(at)];
    }

    private static byte[] DuplicateOrDelete(byte[] data, Random rng)
    {
        if (data.Length < 2) return data;
        int at = rng.Next(data.Length), length = rng.Next(1, Math.Min(data.Length - at, 256) + 1);
        return rng.Next(2) == 0
            ? [.. data.AsSpan(0, at + length), .. data.AsSpan(at, length), .. data.AsSpan(at + length)]
            : [.. data.AsSpan(0, at), .. data.AsSpan(at + length)];
    }

    /// <summary>Token-level edits of the textual part: a number made extreme, a token of the wrong type, a line dropped or repeated.</summary>
    private static byte[] MutateText(byte[] data, Random rng, int start, int end)
    {
        if (end <= start) return FlipBits(data, rng);
        string text = Encoding.Latin1.GetString(data, start, end - start);
        switch (rng.Next(4))
        {
            case 0:
            case 1:
                var numbers = Number().Matches(text);
                if (numbers.Count > 0)
                {
                    var m = numbers[rng.Next(numbers.Count)];
                    text = text[..m.Index] + ExtremeNumbers[rng.Next(ExtremeNumbers.Length)] + text[(m.Index + m.Length)..];
                    break;
                }
                goto case 2;
            case 2:
                int at = rng.Next(text.Length + 1), cut = rng.Next(0, Math.Min(8, text.Length - at) + 1);
                text = text[..at] + OddTokens[rng.Next(OddTokens.Length)] + text[(at + cut)..];
                break;
            default:
                var lines = text.Split('\n').ToList();
                int line = rng.Next(lines.Count);
                if (rng.Next(2) == 0) lines.RemoveAt(line); else lines.Insert(line, lines[line]);
                text = string.Join('\n', lines);
                break;
        }
        // Latin-1 keeps the original bytes; characters beyond it (the odd tokens) go in as UTF-8.
        byte[] middle = text.All(c => c <= '\u00FF') ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text);
        return [.. data.AsSpan(0, start), .. middle, .. data.AsSpan(end)];
    }
}
