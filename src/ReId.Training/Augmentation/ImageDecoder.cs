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
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Low = bilinear, High = bicubic (Mitchell) in SkiaSharp 2.88; Medium would add mipmaps.
        var quality = interpolation == ResizeInterpolation.Bicubic ? SKFilterQuality.High : SKFilterQuality.Low;
        using var converted = decoded.ColorType == SKColorType.Rgba8888 ? null : decoded.Copy(SKColorType.Rgba8888);
        var source = converted ?? decoded;
        // An image already at the target size is used as is: a cubic filter at scale 1 would still blur it.
        using var resized = source.Width == width && source.Height == height ? null : source.Resize(info, quality)
            ?? throw new InvalidDataException($"Training image '{path}' could not be resized to {width}×{height}.");
        var rgba = (resized ?? source).GetPixelSpan();
        var rgb = new byte[height * width * 3];
        for (int i = 0, n = height * width; i < n; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }

        return rgb;
    }
}
