namespace ReId.MLNet.Visualization;

/// <summary>CMC curves: the fraction of queries whose first true match is within the top k, in percent, against k.</summary>
public sealed class CmcPlot
{
    private readonly List<ChartSeries> _curves = [];

    public string Title { get; init; } = "CMC";
    /// <summary>Ranks drawn (the curves are cut there).</summary>
    public int MaxRank { get; init; } = 50;

    /// <summary>Adds a curve; <paramref name="cmc"/>[k-1] is the matching rate at rank k, a fraction in [0, 1].</summary>
    public CmcPlot Add(string name, IReadOnlyList<float> cmc)
    {
        ArgumentNullException.ThrowIfNull(cmc);
        if (cmc.Count == 0) throw new ArgumentException($"CMC curve '{name}' is empty", nameof(cmc));
        int n = Math.Min(cmc.Count, MaxRank);
        _curves.Add(new ChartSeries(name, [.. Enumerable.Range(1, n).Select(k => (double)k)], [.. cmc.Take(n).Select(v => (double)v)]));
        return this;
    }

    public byte[] RenderPng(int width = 800, int height = 500) => PlotFile.Render(ToSpec(width, height));

    public void SavePng(string path, int width = 800, int height = 500) => PlotFile.Save(path, ToSpec(width, height));

    public string DataHash(int width = 800, int height = 500) => PlotFile.DataHash(ToSpec(width, height));

    internal PlotSpec ToSpec(int width, int height)
    {
        if (_curves.Count == 0) throw new InvalidOperationException("a CMC plot needs at least one curve (call Add)");
        var series = _curves.Select((c, i) => PlotFile.Series(c, i, scale: 100, markers: c.X.Count <= 60)).ToList();
        return new PlotSpec(Title, [new PlotPanel("", "rank", "matching rate (%)", series, YMin: 0, YMax: 100)], width, height);
    }
}
