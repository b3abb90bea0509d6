using System.Text.RegularExpressions;

namespace ReId.MLNet.Data.Datasets;

/// <summary>File helpers shared by the readers: image listing, magic-byte checks and the errors that name the file.</summary>
internal static class DatasetFiles
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp" };

    public static bool IsImageName(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    public static string RequireDirectory(string root, string relative, string format)
    {
        string dir = Path.Combine(root, relative);
        if (!Directory.Exists(dir))
            throw new ReIdDataException($"{format}: folder '{dir}' is missing (expected the {format} layout under '{root}')");
        return dir;
    }

    public static string RequireFile(string root, string relative, string format)
    {
        string file = Path.Combine(root, relative);
        if (!File.Exists(file))
            throw new ReIdDataException($"{format}: list file '{file}' is missing (expected the {format} layout under '{root}')");
        return file;
    }

    /// <summary>Image files directly in <paramref name="dir"/> (or below it), sorted ordinally; other files are skipped.</summary>
    public static IEnumerable<string> Images(string dir, bool recursive = false) =>
        Directory.EnumerateFiles(dir, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(IsImageName)
            .Order(StringComparer.Ordinal);

    /// <summary>Matches a file name against the format's pattern or throws naming the file and the pattern.</summary>
    public static Match MatchName(string path, Regex pattern, string expected, string format)
    {
        var m = pattern.Match(Path.GetFileName(path));
        if (!m.Success)
            throw new ReIdDataException($"{format}: file name '{path}' does not fit the expected pattern {expected}");
        return m;
    }

    /// <summary>Reads image files whose names carry the labels: each name must match <paramref name="pattern"/>; <paramref name="toSample"/>
    /// turns the match into a sample or null (skipped, e.g. junk). Images are verified when the options ask for it.</summary>
    public static List<ReIdSample> ReadNamedImages(IEnumerable<string> paths, Regex pattern, string expected, string format, DatasetLoadOptions options,
        Func<string, Match, ReIdSample?> toSample)
    {
        var list = new List<ReIdSample>();
        foreach (string path in paths)
        {
            var sample = toSample(Path.GetFullPath(path), MatchName(path, pattern, expected, format));
            if (sample is null) continue;
            if (options.VerifyImages) VerifyImage(path);
            list.Add(sample);
        }
        return list;
    }

    /// <summary>Throws unless the file starts like a JPEG, PNG, BMP or WEBP image.</summary>
    public static void VerifyImage(string path)
    {
        Span<byte> head = stackalloc byte[12];
        int n;
        try
        {
            using var f = File.OpenRead(path);
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw new ReIdDataException($"image '{path}' cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ReIdDataException($"image '{path}' cannot be read: {e.Message}", e);
        }
        bool ok = n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF
            || n >= 8 && head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G'
            || n >= 2 && head[0] == (byte)'B' && head[1] == (byte)'M'
            || n >= 12 && head[0] == (byte)'R' && head[1] == (byte)'I' && head[2] == (byte)'F' && head[3] == (byte)'F'
                && head[8] == (byte)'W' && head[9] == (byte)'E' && head[10] == (byte)'B' && head[11] == (byte)'P';
        if (!ok)
            throw new ReIdDataException($"image '{path}' is unreadable: {(n == 0 ? "the file is empty" : "it is not a JPEG, PNG, BMP or WEBP file")}");
    }

    /// <summary>An identity, camera or clothes number from a file name; more digits than an int holds is an error naming the file.</summary>
    public static int Label(string digits, string path, string what, string format) =>
        int.TryParse(digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value
            : throw new ReIdDataException($"{format}: file name '{path}' has {what} '{digits}', which is not an integer in the range of a 32-bit int");

    /// <summary>
    /// The full path of an image named on line <paramref name="lineNumber"/> of a list file, under <paramref name="dir"/>. Characters no
    /// path can hold (NUL) and, when <paramref name="mustStayInside"/>, a rooted path or one that climbs out of the folder with '..'
    /// are errors naming the list file and line: a list file is outside input and must not make the reader open arbitrary files.
    /// </summary>
    public static string ListedPath(string dir, string relative, string listFile, int lineNumber, string format, bool mustStayInside = true)
    {
        if (relative.Contains('\0'))
            throw new ReIdDataException($"{format}: line {lineNumber} of '{listFile}' holds a NUL character, which no file name can contain");
        string full = Path.GetFullPath(Path.Combine(dir, relative));
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)) + Path.DirectorySeparatorChar;
        if (mustStayInside && !full.StartsWith(folder, StringComparison.Ordinal))
            throw new ReIdDataException($"{format}: line {lineNumber} of '{listFile}' names '{relative}', which lies outside '{folder}'; list entries are relative paths inside it");
        return full;
    }

    /// <summary>Non-empty, trimmed lines of a list file.</summary>
    public static IEnumerable<(int LineNumber, string Text)> Lines(string path) =>
        File.ReadLines(path).Select((l, i) => (i + 1, l.Trim())).Where(p => p.Item2.Length > 0);
}
