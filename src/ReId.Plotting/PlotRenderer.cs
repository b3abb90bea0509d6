using System.Text.Json;
using ReId.MLNet.Visualization;
using ScottPlot;

namespace ReId.Plotting;

/// <summary>Draws a <see cref="PlotSpec"/> (given as JSON) with ScottPlot and returns the PNG bytes.</summary>
/// <remarks>
/// The only entry point ReId.MLNet calls, through a delegate of BCL types (string in, byte[] out), because this
/// assembly lives in its own load context with SkiaSharp 3 and shares no other type with its caller.
/// </remarks>
public static class PlotRenderer
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // Category10: ten colours that stay distinguishable; identities beyond ten repeat them (the scatter says so in its legend).
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    public static byte[] RenderPng(string specJson)
    {
        var spec = JsonSerializer.Deserialize<PlotSpec>(specJson, Json)
            ?? throw new ArgumentException("the plot description is empty", nameof(specJson));
        if (spec.Panels.Count == 0) throw new ArgumentException("a picture needs at least one panel", nameof(specJson));

        var plots = spec.Panels.Select((panel, i) => Draw(panel, i == 0 ? spec.Title : "")).ToList();
        if (plots.Count == 1) return plots[0].GetImageBytes(spec.Width, spec.Height, ImageFormat.Png);

        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0));
        foreach (var plot in plots) multiplot.AddPlot(plot);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        return multiplot.Render(spec.Width, spec.Height).GetImageBytes(ImageFormat.Png);
    }

    private static Plot Draw(PlotPanel panel, string figureTitle)
    {
        var plot = new Plot();
        string title = string.IsNullOrEmpty(figureTitle) ? panel.Title
            : string.IsNullOrEmpty(panel.Title) ? figureTitle : $"{figureTitle}: {panel.Title}";
        if (title.Length > 0) plot.Title(title);
        plot.XLabel(panel.XLabel);
        plot.YLabel(panel.YLabel);

        foreach (var series in panel.Series)
        {
            if (series.X.Length != series.Y.Length)
                throw new ArgumentException($"series '{series.Name}' has {series.X.Length} x values but {series.Y.Length} y values");
            // NaN marks "not measured at this x" (an epoch without evaluation): leave the point out.
            var keep = Enumerable.Range(0, series.X.Length).Where(i => double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i])).ToArray();
            if (keep.Length == 0) continue;
            double[] xs = keep.Select(i => panel.LogX ? Math.Log10(series.X[i]) : series.X[i]).ToArray();
            double[] ys = keep.Select(i => series.Y[i]).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, Palette[series.ColorIndex % Palette.Length]);
            scatter.LegendText = series.Name;
            scatter.LineWidth = series.Line ? 2 : 0;
            scatter.MarkerSize = series.Markers ? (series.Line ? 5 : 6) : 0;
        }

        if (panel.LogX)
        {
            // Data are drawn at log10(x); ticks at whole powers of ten, labelled with the value itself.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        plot.Axes.AutoScale();
        if (panel.YMin is double min && panel.YMax is double max) plot.Axes.SetLimitsY(min, max);
        if (panel.ShowLegend && panel.Series.Count > 0) plot.ShowLegend(panel.LegendAtTop ? Alignment.UpperRight : Alignment.LowerRight);
        return plot;
    }
}
