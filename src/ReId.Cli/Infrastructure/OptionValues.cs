using System.Globalization;

namespace ReId.Cli.Infrastructure;

/// <summary>
/// Typed values of command-line options, each failing as a usage error (exit 2) that names the option, the value and what
/// was expected, so every command reports bad input the same way.
/// </summary>
internal static class OptionValues
{
    /// <summary>
    /// The member of <typeparamref name="T"/> whose lower-case name is <paramref name="value"/> (any case), among
    /// <paramref name="allowed"/> or all members. Names only: <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
    /// would also accept numbers such as "7".
    /// </summary>
    public static T Choice<T>(string value, string option, params T[] allowed) where T : struct, Enum
    {
        T[] choices = allowed.Length > 0 ? allowed : Enum.GetValues<T>();
        foreach (var choice in choices)
        {
            if (string.Equals(Name(choice), value.Trim(), StringComparison.OrdinalIgnoreCase)) return choice;
        }
        string names = string.Join(", ", choices[..^1].Select(Name)) + (choices.Length > 1 ? " or " : "") + Name(choices[^1]);
        throw new CliUsageException($"{option} '{value}' is unknown; expected {names}");
    }

    /// <summary>The name a user types for an enum member: its C# name in lower case (MlNet → mlnet).</summary>
    public static string Name<T>(T choice) where T : struct, Enum => choice.ToString().ToLowerInvariant();

    public static int Positive(int value, string option) =>
        value > 0 ? value : throw new CliUsageException($"{option} {value}: expected a positive integer");

    /// <summary>"N" or "MIN-MAX" with 1 ≤ MIN ≤ MAX.</summary>
    public static (int Min, int Max) Range(string value, string option)
    {
        string[] parts = value.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2 && int.TryParse(parts[0], out int min) && int.TryParse(parts[^1], out int max) && min >= 1 && max >= min)
            return (min, max);
        throw new CliUsageException($"{option} '{value}' is not valid; expected N or MIN-MAX with 1 <= MIN <= MAX (e.g. 2-4)");
    }

    /// <summary>Exactly <paramref name="count"/> comma-separated numbers in invariant culture (e.g. a per-channel mean).</summary>
    public static float[] Floats(string value, string option, int count)
    {
        var parts = value.Split(',');
        var numbers = new float[count];
        bool valid = parts.Length == count;
        for (int i = 0; valid && i < count; i++)
            valid = float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);
        return valid ? numbers : throw new CliUsageException($"{option} must be {count} comma-separated numbers (got '{value}').");
    }
}
