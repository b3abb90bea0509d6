using SkiaSharp;

namespace ReId.MLNet.Tests.Data.Datasets;

/// <summary>A temporary folder in which tests write dataset layouts with real (tiny) image files.</summary>
internal sealed class DatasetFolder : IDisposable
{
    private static readonly Lazy<byte[]> Jpeg = new(() => Encode(SKEncodedImageFormat.Jpeg));
    private static readonly Lazy<byte[]> Png = new(() => Encode(SKEncodedImageFormat.Png));

    public DatasetFolder() => Root = Directory.CreateTempSubdirectory("reid-ds").FullName;

    public string Root { get; }

    /// <summary>Writes a real image (JPEG or PNG by extension) at the relative path.</summary>
    public string Image(string relative)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, relative.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? Png.Value : Jpeg.Value);
        return path;
    }

    public string Text(string relative, params string[] lines)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    public string Folder(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }

    private static byte[] Encode(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(8, 16);
        bitmap.Erase(SKColors.Coral);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
