using System.Globalization;
using System.Reflection;

namespace ReId.Training.Recipes;

/// <summary>Applies <c>key=value</c> overrides (from <c>--set</c>) to <see cref="TrainingOptions"/>, with errors that name the key.</summary>
public static class TrainingOptionOverrides
{
    /// <summary>
    /// Applies each override in order; keys are property names, case-insensitive, '-' and '_' ignored; <c>KEY.name</c>
    /// reaches the method's section.
    /// </summary>
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

    /// <summary>
    /// All settable keys with their current values and a one-line meaning, in declaration order (for <c>reid train --list</c>);
    /// the method's section follows as <c>KEY.name</c>.
    /// </summary>
    public static IEnumerable<(string Key, string Value, string Meaning)> Describe(TrainingOptions options)
    {
        foreach (var p in Properties(typeof(TrainingOptions))) yield return (ToKey(p.Name), Format(p.GetValue(options)), Meaning(p));
        if (options.Section is { } section)
            foreach (var p in Properties(section.GetType())) yield return (section.Key + "." + ToKey(p.Name), Format(p.GetValue(section)), Meaning(p));
    }

    private static void Set(TrainingOptions options, string key, string value)
    {
        int dot = key.IndexOf('.');
        if (dot >= 0)
        {
            string sectionKey = key[..dot].Trim();
            var section = options.Section;
            if (section is null || !string.Equals(section.Key, sectionKey, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--set {key}: method '{options.Method}' has " +
                    (section is null ? "no settings section" : $"the settings section '{section.Key}', not '{sectionKey}'"));
            SetProperty(section, key, key[(dot + 1)..].Trim(), value, section.Key + ".");
            return;
        }
        SetProperty(options, key, key, value, "");
        // Another method brings its own section (with its defaults).
        if (Normalize(key) == "method") options.Section = Methods.TrainingMethods.Get(options.Method).CreateSection();
    }

    private static void SetProperty(object target, string fullKey, string name, string value, string prefix)
    {
        string wanted = Normalize(name);
        var properties = Properties(target.GetType()).ToList();
        var property = properties.FirstOrDefault(p => Normalize(p.Name) == wanted)
            ?? throw new ArgumentException($"--set {fullKey}: unknown setting; known settings: {string.Join(", ", properties.Select(p => prefix + ToKey(p.Name)))}");
        try
        {
            property.SetValue(target, Parse(property.PropertyType, value));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--set {fullKey}={value}: expected {Describe(property.PropertyType)}");
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
        if (type.IsEnum) return Enum.TryParse(type, value.Replace("-", ""), ignoreCase: true, out var e) && Enum.IsDefined(type, e!) ? e : throw new FormatException();
        if (type == typeof(int[])) return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, inv)).ToArray();
        throw new FormatException();
    }

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" : t == typeof(float) || t == typeof(double) ? "a number"
        : t == typeof(bool) ? "true or false" : t == typeof(int[]) ? "comma-separated integers"
        : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t).Select(ToKey)) : "a value";

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null);

    private static string Meaning(PropertyInfo p) => p.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description ?? "";

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
