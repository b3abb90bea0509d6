using SkiaSharp;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// Turns a failure inside ML.NET's (parallel) image stages, which arrives wrapped without the file name,
/// into an error naming the first image that is missing or does not decode.
/// </summary>
internal static class ImageFailure
{
    public static Exception Explain(Exception error, IReadOnlyList<string> imagePaths, string? imageFolder)
    {
        if (error is OperationCanceledException)
            return error;
        foreach (string path in imagePaths)
        {
            string full = imageFolder is null || Path.IsPathRooted(path) ? path : Path.Combine(imageFolder, path);
            if (!File.Exists(full))
                return new FileNotFoundException($"image '{full}' does not exist.", full, error);
            using var codec = SKCodec.Create(full);
            if (codec is null)
                return new InvalidDataException($"image '{full}' is not a readable image (JPEG, PNG, BMP, GIF or WEBP expected).", error);
        }
        var inner = error;
        while (inner.InnerException is not null)
            inner = inner.InnerException;
        return new InvalidDataException($"embedding the images failed: {inner.Message}", error);
    }
}
