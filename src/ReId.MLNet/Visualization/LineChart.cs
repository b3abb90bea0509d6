using ReId.MLNet.IO;
using SkiaSharp;

namespace ReId.MLNet.Visualization;

/// <summary>A small line chart rendered to PNG with SkiaSharp (CMC curves, training curves).</summary>
public sealed class LineChart
{
    private static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28),
        new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f),
    ];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    /// <summary>Fixed y range; null = from the data.</summary>
    public (double Min, double Max)? YRange { get; init; }
    public List<ChartSeries> Series { get; } = [];

    /// <summary>Renders the chart and writes it as PNG (atomically).</summary>
    public void SavePng(string path, int width = 800, int height = 500)
    {
        using var bitmap = Render(width, height);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => data.SaveTo(s));
    }

    /// <summary>Renders to a bitmap the caller owns.</summary>
    public SKBitmap Render(int width, int height)
    {
        if (width < 200 || height < 150) throw new ArgumentOutOfRangeException(nameof(width), "a chart needs at least 200×150 pixels");
        var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        const float left = 70, right = 20, top = 40, bottom = 55;
        var plot = new SKRect(left, top, width - right, height - bottom);
        var (xMin, xMax, yMin, yMax) = Bounds();

        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var text = new SKPaint { Color = SKColors.Black, TextSize = 13, IsAntialias = true };
        using var titleText = new SKPaint { Color = SKColors.Black, TextSize = 16, IsAntialias = true, FakeBoldText = true };

        float Px(double x) => plot.Left + (float)((x - xMin) / (xMax - xMin)) * plot.Width;
        float Py(double y) => plot.Bottom - (float)((y - yMin) / (yMax - yMin)) * plot.Height;

        foreach (double tick in Ticks(yMin, yMax))
        {
            canvas.DrawLine(plot.Left, Py(tick), plot.Right, Py(tick), grid);
            string label = Format(tick);
            canvas.DrawText(label, plot.Left - 6 - text.MeasureText(label), Py(tick) + 4, text);
        }
        foreach (double tick in Ticks(xMin, xMax))
        {
            canvas.DrawLine(Px(tick), plot.Top, Px(tick), plot.Bottom, grid);
            string label = Format(tick);
            canvas.DrawText(label, Px(tick) - text.MeasureText(label) / 2, plot.Bottom + 18, text);
        }
        canvas.DrawRect(plot, axis);
        canvas.DrawText(Title, (width - titleText.MeasureText(Title)) / 2, 24, titleText);
        canvas.DrawText(XLabel, plot.MidX - text.MeasureText(XLabel) / 2, height - 14, text);
        canvas.Save();
        canvas.RotateDegrees(-90);
        canvas.DrawText(YLabel, -plot.MidY - text.MeasureText(YLabel) / 2, 18, text);
        canvas.Restore();

        for (int s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            using var line = new SKPaint { Color = Palette[s % Palette.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var path = new SKPath();
            bool open = false;
            for (int i = 0; i < series.X.Count; i++)
            {
                if (double.IsNaN(series.Y[i])) { open = false; continue; }
                var p = new SKPoint(Px(series.X[i]), Py(series.Y[i]));
                if (!open) { path.MoveTo(p); open = true; } else path.LineTo(p);
                if (series.X.Count <= 60) canvas.DrawCircle(p, 2.5f, line);
            }
            canvas.DrawPath(path, line);
            float ly = plot.Top + 16 + 18 * s;
            canvas.DrawLine(plot.Right - 150, ly - 4, plot.Right - 125, ly - 4, line);
            canvas.DrawText(series.Name, plot.Right - 120, ly, text);
        }
        return bitmap;
    }

    private (double, double, double, double) Bounds()
    {
        var xs = Series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var ys = Series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        double xMin = xs.Min(), xMax = xs.Max();
        double yMin = YRange?.Min ?? ys.Min(), yMax = YRange?.Max ?? ys.Max();
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) { yMax = yMin + 1; }
        else if (YRange is null) { double pad = (yMax - yMin) * 0.05; yMin -= pad; yMax += pad; }
        return (xMin, xMax, yMin, yMax);
    }

    /// <summary>About six "nice" tick values (1, 2 or 5 × 10^k apart) inside [min, max].</summary>
    internal static IEnumerable<double> Ticks(double min, double max)
    {
        double raw = (max - min) / 6;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step)
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    private static string Format(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0) ? v.ToString("G3") : Math.Round(v, 3).ToString("0.###");
}
