using System.Text.Json;

namespace ReId.Cli.Infrastructure;

/// <summary>Where a command writes: human-readable text to Out, diagnostics and progress to Error.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    /// <summary>Writes one JSON object (the `--json` contract: exactly one object on stdout).</summary>
    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Progress lines go to stderr so that `--json` output stays one object.</summary>
    public ConsoleProgress Progress(string label) => new(Error, label);
}
