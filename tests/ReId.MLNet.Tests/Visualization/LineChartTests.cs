using ReId.MLNet.Visualization;
using SkiaSharp;

namespace ReId.MLNet.Tests.Visualization;

public class LineChartTests
{
    [Theory]
    [InlineData(0, 1, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(0, 50, new[] { 0.0, 10, 20, 30, 40, 50 })]
    [InlineData(1, 7, new[] { 1.0, 2, 3, 4, 5, 6, 7 })]
    public void TicksAreNiceStepsInsideTheRange(double min, double max, double[] expected)
    {
        var ticks = LineChart.Ticks(min, max).ToArray();
        Assert.Equal(expected.Length, ticks.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], ticks[i], 9);
    }

    [Fact]
    public void AHorizontalSeriesIsDrawnAtItsValueAndTheFileIsAPng()
    {
        var chart = new LineChart { Title = "CMC", XLabel = "rank", YLabel = "matching rate", YRange = (0, 1) };
        chart.Series.Add(new ChartSeries("flat", [1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5]));
        using var bitmap = chart.Render(400, 300);
        // Plot area is [70, 380] × [40, 245]; y = 0.5 lies at row 142.5. The first palette colour is (31,119,180).
        int hits = 0;
        for (int x = 100; x < 200; x++)
            for (int y = 140; y <= 145; y++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Blue > 150 && c.Red < 90) { hits++; break; }
            }
        Assert.True(hits >= 95, $"series colour found in {hits} of 100 columns around y=0.5");
        var far = bitmap.GetPixel(150, 80);
        Assert.False(far.Blue > 150 && far.Red < 90, "no series colour far from the line");

        string dir = Directory.CreateTempSubdirectory("reid-chart").FullName;
        try
        {
            string path = Path.Combine(dir, "cmc.png");
            chart.SavePng(path, 400, 300);
            using var decoded = SKBitmap.Decode(path);
            Assert.Equal(400, decoded.Width);
            Assert.Equal(300, decoded.Height);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }
}
