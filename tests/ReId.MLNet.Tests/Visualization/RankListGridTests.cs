using ReId.MLNet.Visualization;
using SkiaSharp;

namespace ReId.MLNet.Tests.Visualization;

public class RankListGridTests
{
    private static string SolidImage(string dir, string name, SKColor color)
    {
        using var bitmap = new SKBitmap(16, 32);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void MatchesAreFramedGreenAndMismatchesRed()
    {
        string dir = Directory.CreateTempSubdirectory("reid-grid").FullName;
        try
        {
            string q = SolidImage(dir, "q.png", SKColors.Blue);
            string g1 = SolidImage(dir, "g1.png", SKColors.Yellow);
            string g2 = SolidImage(dir, "g2.png", SKColors.Yellow);
            string outPath = Path.Combine(dir, "ranks.png");
            RankListGrid.SavePng(outPath, [new RankListEntry(q, [g1, g2], [true, false])], cellHeight: 32, cellWidth: 16);
            using var grid = SKBitmap.Decode(outPath);
            // Cells: x = 6 (query), then 6 + 30·c + 16 for gallery c = 1, 2; the frame is 4 px wide.
            Assert.Equal(SKColors.Blue, grid.GetPixel(6 + 4 + 8, 6 + 4 + 16));
            var frame1 = grid.GetPixel(6 + 30 + 16 + 1, 6 + 20);
            var frame2 = grid.GetPixel(6 + 60 + 16 + 1, 6 + 20);
            Assert.True(frame1.Green > 150 && frame1.Red < 80, $"first match framed green, got {frame1}");
            Assert.True(frame2.Red > 200 && frame2.Green < 80, $"second framed red, got {frame2}");
            Assert.Equal(SKColors.Yellow, grid.GetPixel(6 + 30 + 16 + 4 + 8, 6 + 4 + 16));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnUndecodableImageIsNamedInTheError()
    {
        string dir = Directory.CreateTempSubdirectory("reid-grid").FullName;
        try
        {
            string bad = Path.Combine(dir, "broken.jpg");
            File.WriteAllText(bad, "not an image");
            var e = Assert.Throws<InvalidDataException>(() =>
                RankListGrid.SavePng(Path.Combine(dir, "out.png"), [new RankListEntry(bad, [bad], [true])]));
            Assert.Contains("broken.jpg", e.Message);
            Assert.False(File.Exists(Path.Combine(dir, "out.png")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
