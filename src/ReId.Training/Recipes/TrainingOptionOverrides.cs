using System.Globalization;
using System.Reflection;

namespace ReId.Training.Recipes;

/// <summary>Applies <c>key=value</c> overrides (from <c>--set</c>) to <see cref="TrainingOptions"/>, with errors that name the key.</summary>
public static class TrainingOptionOverrides
{
    /// <summary>Applies each override in order; keys are property names, case-insensitive, '-' and '_' ignored.</summary>
    public static void Apply(TrainingOptions options, IEnumerable<string> assignments)
    {
        foreach (string assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException($"--set '{assignment}': expected key=value, for example --set epochs=5");
            Set(options, assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
        }
    }

    /// <summary>All settable keys with their current values, in declaration order (for <c>reid train --list</c>).</summary>
    public static IEnumerable<(string Key, string Value)> Describe(TrainingOptions options) =>
        Properties().Select(p => (ToKey(p.Name), Format(p.GetValue(options))));

    private static void Set(TrainingOptions options, string key, string value)
    {
        string wanted = Normalize(key);
        var property = Properties().FirstOrDefault(p => Normalize(p.Name) == wanted)
            ?? throw new ArgumentException($"--set {key}: unknown setting; known settings: {string.Join(", ", Properties().Select(p => ToKey(p.Name)))}");
        try
        {
            property.SetValue(options, Parse(property.PropertyType, value));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--set {key}={value}: expected {Describe(property.PropertyType)}");
        }
    }

    private static object? Parse(Type type, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return value;
        if (Nullable.GetUnderlyingType(type) is { } inner) return value.Length == 0 || value == "null" ? null : Parse(inner, value);
        if (type == typeof(int)) return int.Parse(value, inv);
        if (type == typeof(long)) return long.Parse(value, inv);
        if (type == typeof(float)) return float.Parse(value, inv);
        if (type == typeof(double)) return double.Parse(value, inv);
        if (type == typeof(bool)) return value.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new FormatException(),
        };
        if (type == typeof(int[])) return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, inv)).ToArray();
        throw new FormatException();
    }

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" : t == typeof(float) || t == typeof(double) ? "a number"
        : t == typeof(bool) ? "true or false" : t == typeof(int[]) ? "comma-separated integers" : "a value";

    private static IEnumerable<PropertyInfo> Properties() =>
        typeof(TrainingOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    private static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    /// <summary>PascalCase → kebab-case.</summary>
    private static string ToKey(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Format(object? v) => v switch
    {
        null => "null",
        int[] a => string.Join(",", a),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
