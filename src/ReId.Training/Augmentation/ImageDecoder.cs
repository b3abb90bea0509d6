using SkiaSharp;

namespace ReId.Training.Augmentation;

/// <summary>Decodes an image file with SkiaSharp and resizes it to interleaved 8-bit RGB.</summary>
public static class ImageDecoder
{
    /// <summary>The image at <paramref name="path"/> resized to <paramref name="height"/>×<paramref name="width"/>, as HWC RGB bytes.</summary>
    public static byte[] DecodeResized(string path, int height, int width, ResizeInterpolation interpolation = ResizeInterpolation.Bilinear)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Training image '{path}' does not exist.", path);
        }

        using var decoded = SKBitmap.Decode(path)
            ?? throw new InvalidDataException($"Training image '{path}' could not be decoded; expected a JPEG, PNG, BMP or WebP file.");
        using var converted = decoded.ColorType == SKColorType.Rgba8888 ? null : decoded.Copy(SKColorType.Rgba8888);
        var source = converted ?? decoded;
        if (interpolation == ResizeInterpolation.Bicubic)
        {
            // Pillow's bicubic (CLIP's preprocessing), from the full-resolution pixels; none when the size already fits.
            var full = Rgb(source.GetPixelSpan(), source.Width * source.Height);
            return source.Width == width && source.Height == height ? full
                : BicubicResampler.Resize(full, source.Height, source.Width, height, width);
        }

        // An image already at the target size is used as is: resampling at scale 1 could still change it.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = source.Width == width && source.Height == height ? null : source.Resize(info, SKFilterQuality.Low)
            ?? throw new InvalidDataException($"Training image '{path}' could not be resized to {width}×{height}.");
        return Rgb((resized ?? source).GetPixelSpan(), height * width);
    }

    private static byte[] Rgb(ReadOnlySpan<byte> rgba, int pixels)
    {
        var rgb = new byte[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }

        return rgb;
    }
}
