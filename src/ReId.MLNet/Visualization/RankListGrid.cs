using ReId.MLNet.IO;
using SkiaSharp;

namespace ReId.MLNet.Visualization;

/// <summary>Draws rank lists as an image grid: the query, then its top-k gallery images framed green (same identity) or red.</summary>
public static class RankListGrid
{
    /// <summary>Renders one row per entry and writes the PNG atomically.</summary>
    public static void SavePng(string path, IReadOnlyList<RankListEntry> entries, int cellHeight = 128, int cellWidth = 64)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) throw new ArgumentException("no rank lists to draw", nameof(entries));
        const int border = 4, gap = 6, queryGap = 16;
        int columns = entries.Max(e => e.GalleryImagePaths.Count);
        int width = gap + (cellWidth + 2 * border) * (columns + 1) + gap * columns + queryGap + gap;
        int height = gap + entries.Count * (cellHeight + 2 * border + gap);
        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var green = new SKPaint { Color = new SKColor(0x2c, 0xa0, 0x2c) };
        using var red = new SKPaint { Color = new SKColor(0xd6, 0x27, 0x28) };
        using var black = new SKPaint { Color = SKColors.Black };
        for (int row = 0; row < entries.Count; row++)
        {
            var entry = entries[row];
            if (entry.Matches.Count != entry.GalleryImagePaths.Count)
                throw new ArgumentException($"rank list {row}: {entry.GalleryImagePaths.Count} images but {entry.Matches.Count} match flags", nameof(entries));
            float y = gap + row * (cellHeight + 2 * border + gap);
            DrawCell(canvas, entry.QueryImagePath, gap, y, cellWidth, cellHeight, border, black);
            for (int c = 0; c < entry.GalleryImagePaths.Count; c++)
            {
                float x = gap + (cellWidth + 2 * border + gap) * (c + 1) + queryGap;
                DrawCell(canvas, entry.GalleryImagePaths[c], x, y, cellWidth, cellHeight, border, entry.Matches[c] ? green : red);
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => data.SaveTo(s));
    }

    private static void DrawCell(SKCanvas canvas, string imagePath, float x, float y, int w, int h, int border, SKPaint frame)
    {
        canvas.DrawRect(new SKRect(x, y, x + w + 2 * border, y + h + 2 * border), frame);
        using var image = SKBitmap.Decode(imagePath)
            ?? throw new InvalidDataException($"'{imagePath}' could not be decoded as an image (expected JPEG, PNG, BMP or WEBP)");
        canvas.DrawBitmap(image, new SKRect(x + border, y + border, x + border + w, y + border + h), new SKPaint { FilterQuality = SKFilterQuality.Medium });
    }
}
