namespace ReId.MLNet.Visualization;

/// <summary>
/// Training curves on two panels: losses on top (their own scale), retrieval metrics below in percent, so a loss of 7
/// and a mAP of 0.47 are each readable.
/// </summary>
public sealed class TrainingCurvesPlot
{
    public string Title { get; init; } = "Training";
    public string XLabel { get; init; } = "epoch";
    /// <summary>Loss curves (any scale).</summary>
    public List<ChartSeries> Losses { get; } = [];
    /// <summary>Metric curves as fractions in [0, 1] (mAP, rank-k); drawn in percent.</summary>
    public List<ChartSeries> Metrics { get; } = [];

    public byte[] RenderPng(int width = 900, int height = 700) => PlotFile.Render(ToSpec(width, height));

    /// <summary>Draws the plot and writes the PNG atomically.</summary>
    public void SavePng(string path, int width = 900, int height = 700) => PlotFile.Save(path, ToSpec(width, height));

    /// <summary>A hash of the data drawn (not of the pixels).</summary>
    public string DataHash(int width = 900, int height = 700) => PlotFile.DataHash(ToSpec(width, height));

    internal PlotSpec ToSpec(int width, int height)
    {
        if (Losses.Count == 0 && Metrics.Count == 0) throw new InvalidOperationException("a training-curves plot needs at least one loss or metric curve");
        var panels = new List<PlotPanel>();
        if (Losses.Count > 0)
            panels.Add(new PlotPanel("loss", XLabel, "loss", [.. Losses.Select((s, i) => PlotFile.Series(s, i))], LegendAtTop: true)); // losses fall: the upper right is free
        if (Metrics.Count > 0)
            panels.Add(new PlotPanel("metrics", XLabel, "percent", [.. Metrics.Select((s, i) => PlotFile.Series(s, Losses.Count + i, scale: 100))], YMin: 0, YMax: 100));
        return new PlotSpec(Title, panels, width, height);
    }
}
