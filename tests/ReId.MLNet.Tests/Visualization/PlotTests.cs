using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Visualization;
using SkiaSharp;

namespace ReId.MLNet.Tests.Visualization;

public class PlotTests
{
    // ScottPlot's Category10 palette: series 0, 1 and 2.
    private static readonly SKColor Blue = new(0x1f, 0x77, 0xb4), Orange = new(0xff, 0x7f, 0x0e), Green = new(0x2c, 0xa0, 0x2c);

    [Fact]
    public void TrainingCurvesPutLossOnTopAndMetricsInPercentBelow()
    {
        var plot = new TrainingCurvesPlot();
        plot.Losses.Add(new ChartSeries("loss", [1, 2, 3, 4], [7.0, 5.5, 4.1, 3.2]));
        plot.Metrics.Add(new ChartSeries("mAP", [0, 2, 4], [0.065, double.NaN, 0.47]));

        var spec = plot.ToSpec(900, 700);
        Assert.Equal(2, spec.Panels.Count);
        Assert.Equal([7.0, 5.5, 4.1, 3.2], spec.Panels[0].Series[0].Y);
        Assert.Equal(6.5, spec.Panels[1].Series[0].Y[0], 9);
        Assert.True(double.IsNaN(spec.Panels[1].Series[0].Y[1]));
        Assert.Equal(47, spec.Panels[1].Series[0].Y[2], 9);
        Assert.Equal((0.0, 100.0), (spec.Panels[1].YMin, spec.Panels[1].YMax));

        using var bitmap = Decode(plot.RenderPng(900, 700));
        Assert.Equal((900, 700), (bitmap.Width, bitmap.Height));
        var (lossTop, lossBottom) = CountByHalf(bitmap, Blue);
        var (mapTop, mapBottom) = CountByHalf(bitmap, Orange);
        Assert.True(lossTop > 50 && lossBottom == 0, $"loss colour: {lossTop} pixels on top, {lossBottom} below");
        Assert.True(mapBottom > 50 && mapTop == 0, $"mAP colour: {mapTop} pixels on top, {mapBottom} below");
    }

    [Fact]
    public void EqualDataDrawEqualPicturesAndHashes()
    {
        static CmcPlot Make(float last) => new CmcPlot().Add("model", [0.5f, 0.7f, 0.8f, last]);
        Assert.Equal(Make(0.9f).DataHash(), Make(0.9f).DataHash());
        Assert.NotEqual(Make(0.9f).DataHash(), Make(0.91f).DataHash());
        Assert.Equal(Make(0.9f).RenderPng(), Make(0.9f).RenderPng());
    }

    [Fact]
    public void CmcIsDrawnInPercentUpToMaxRank()
    {
        var cmc = Enumerable.Range(1, 80).Select(k => Math.Min(1f, 0.4f + k / 100f)).ToArray();
        var spec = new CmcPlot { MaxRank = 50 }.Add("final", cmc).ToSpec(800, 500);
        var series = spec.Panels.Single().Series.Single();
        Assert.Equal(50, series.X.Length);
        Assert.Equal(1, series.X[0]);
        Assert.Equal(41, series.Y[0], 4);
        Assert.Equal(90, series.Y[49], 4);
    }

    [Fact]
    public void ScatterGivesEachIdentityItsColour()
    {
        // Three identities in three separated clouds in 4-D.
        var rng = new Random(2);
        int rows = 30, dim = 4;
        var features = new float[rows * dim];
        var ids = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            ids[i] = 10 + i % 3;
            for (int j = 0; j < dim; j++) features[i * dim + j] = (j == i % 3 ? 5f : 0f) + (float)(rng.NextDouble() * 0.3);
        }
        var plot = EmbeddingScatterPlot.FromFeatures(features, rows, dim, ids);
        var spec = plot.ToSpec(800, 600);
        Assert.Equal(["id 10", "id 11", "id 12"], spec.Panels[0].Series.Select(s => s.Name));
        Assert.All(spec.Panels[0].Series, s => Assert.Equal(10, s.X.Length));

        using var bitmap = Decode(plot.RenderPng());
        foreach (var colour in new[] { Blue, Orange, Green })
        {
            var (top, bottom) = CountByHalf(bitmap, colour);
            Assert.True(top + bottom > 30, $"colour {colour} drawn on {top + bottom} pixels");
        }
    }

    [Fact]
    public void RocNeedsTheEvaluationToHaveComputedIt()
    {
        var without = new ReIdMetrics { Cmc = [1f] };
        var error = Assert.Throws<ArgumentException>(() => new RocPlot().Add("m", without));
        Assert.Contains("RocFprs", error.Message);

        var with = new ReIdMetrics { Cmc = [1f], Fprs = [1e-3, 1e-2, 1e-1], Tprs = [0.2, 0.5, 0.9] };
        var spec = new RocPlot().Add("m", with).ToSpec(800, 500);
        Assert.True(spec.Panels[0].LogX);
        Assert.Equal([20.0, 50.0, 90.0], spec.Panels[0].Series[0].Y.Select(v => Math.Round(v, 9)));
        using var bitmap = Decode(new RocPlot().Add("m", with).RenderPng());
        Assert.True(CountByHalf(bitmap, Blue) is var (t, b) && t + b > 30);
    }

    [Fact]
    public void MlNetImageStagesStillWorkAfterAPlotWasDrawn()
    {
        // The plot renderer brings SkiaSharp 3; ML.NET's ExtractPixels fails under SkiaSharp 3. Both in one process must work.
        new CmcPlot().Add("model", [0.5f, 1f]).RenderPng();
        string dir = Directory.CreateTempSubdirectory("reid-plot-mlnet").FullName;
        try
        {
            string image = Path.Combine(dir, "red.png");
            using (var bitmap = new SKBitmap(8, 4))
            {
                bitmap.Erase(new SKColor(255, 0, 0));
                using var encoded = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(image, encoded.ToArray());
            }
            var ml = new MLContext();
            var data = ml.Data.LoadFromEnumerable([new ImageRow { Path = image }]);
            var pipeline = ml.Transforms.LoadImages("Image", null, "Path")
                .Append(ml.Transforms.ResizeImages("Image", 4, 2, "Image"))
                .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false));
            float[] pixels = pipeline.Fit(data).Transform(data).GetColumn<float[]>("Pixels").Single();
            Assert.Equal(3 * 4 * 2, pixels.Length);
            Assert.All(pixels[..8], v => Assert.Equal(255, v));   // red plane
            Assert.All(pixels[8..], v => Assert.Equal(0, v));     // green and blue planes
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private sealed class ImageRow { public string Path { get; set; } = ""; }

    private static SKBitmap Decode(byte[] png) =>
        SKBitmap.Decode(png) ?? throw new InvalidDataException("the plot is not a decodable PNG");

    private static (int Top, int Bottom) CountByHalf(SKBitmap bitmap, SKColor colour)
    {
        int top = 0, bottom = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Red == colour.Red && p.Green == colour.Green && p.Blue == colour.Blue)
                {
                    if (y < bitmap.Height / 2) top++; else bottom++;
                }
            }
        return (top, bottom);
    }
}
