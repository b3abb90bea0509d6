using System.Globalization;

namespace ReId.Cli.Infrastructure;

/// <summary>Parses the <c>--input-size HxW</c> option every model command takes.</summary>
internal static class InputSize
{
    public static (int Height, int Width) Parse(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int w) && h > 0 && w > 0)
            return (h, w);
        throw new CliUsageException($"--input-size must look like 256x128 with positive integers (got '{text}').");
    }
}
