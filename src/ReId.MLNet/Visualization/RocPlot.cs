using ReId.MLNet.Evaluation;

namespace ReId.MLNet.Visualization;

/// <summary>
/// Verification ROC: true-positive rate (percent) against false-positive rate on a log axis, from the TPR@FPR pairs
/// that <see cref="ReIdEvaluator"/> reports when <see cref="EvaluationOptions.RocFprs"/> is set.
/// </summary>
public sealed class RocPlot
{
    private readonly List<ChartSeries> _curves = [];

    public string Title { get; init; } = "ROC (query–gallery pairs)";

    /// <summary>Adds the ROC points of an evaluation; it must have been run with <see cref="EvaluationOptions.RocFprs"/>.</summary>
    public RocPlot Add(string name, ReIdMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Fprs is not { Length: > 0 } fprs || metrics.Tprs is not { } tprs)
            throw new ArgumentException($"metrics '{name}' hold no ROC points: evaluate with EvaluationOptions.RocFprs set (e.g. [1e-4, 1e-3, 1e-2, 1e-1])", nameof(metrics));
        if (fprs.Any(f => f <= 0)) throw new ArgumentException($"metrics '{name}': false-positive rates must be positive for a log axis", nameof(metrics));
        _curves.Add(new ChartSeries(name, fprs, tprs));
        return this;
    }

    public byte[] RenderPng(int width = 800, int height = 500) => PlotFile.Render(ToSpec(width, height));

    public void SavePng(string path, int width = 800, int height = 500) => PlotFile.Save(path, ToSpec(width, height));

    public string DataHash(int width = 800, int height = 500) => PlotFile.DataHash(ToSpec(width, height));

    internal PlotSpec ToSpec(int width, int height)
    {
        if (_curves.Count == 0) throw new InvalidOperationException("a ROC plot needs at least one curve (call Add)");
        var series = _curves.Select((c, i) => PlotFile.Series(c, i, scale: 100)).ToList();
        return new PlotSpec(Title, [new PlotPanel("", "false-positive rate", "true-positive rate (%)", series, YMin: 0, YMax: 100, LogX: true)], width, height);
    }
}
