using System.Globalization;

namespace ReId.Benchmarks;

/// <summary>`--name value` options of a benchmark's arguments; a value that is not what the option takes is an error naming it.</summary>
internal static class BenchmarkArgs
{
    public static string Text(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        return i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
    }

    public static int Int(string[] args, string name, int fallback)
    {
        string text = Text(args, name, "");
        if (text.Length == 0) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new ArgumentException($"{name} '{text}': expected a whole number");
    }
}
