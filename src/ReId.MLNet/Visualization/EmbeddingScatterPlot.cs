using ReId.MLNet.Features;

namespace ReId.MLNet.Visualization;

/// <summary>
/// Embeddings projected onto their first two principal components, one colour per identity: a good model puts each
/// identity's images in a tight cloud of its own.
/// </summary>
public sealed class EmbeddingScatterPlot
{
    private readonly double[] _points;
    private readonly int[] _identities;

    private EmbeddingScatterPlot(double[] points, int[] identities) => (_points, _identities) = (points, identities);

    public string Title { get; init; } = "Embeddings (PCA)";
    /// <summary>Identities drawn (the most frequent first, ties by id); the others are left out so colours stay readable.</summary>
    public int MaxIdentities { get; init; } = 10;

    /// <summary>Projects the rows of a feature set (query or gallery) onto two principal components.</summary>
    public static EmbeddingScatterPlot FromFeatures(FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return FromFeatures(features.Features, features.Rows, features.Dim, features.Identities);
    }

    /// <summary>Projects <paramref name="rows"/> row vectors of <paramref name="dim"/> floats (row-major) onto two principal components.</summary>
    public static EmbeddingScatterPlot FromFeatures(float[] features, int rows, int dim, IReadOnlyList<int> identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        if (identities.Count != rows) throw new ArgumentException($"{identities.Count} identities for {rows} rows", nameof(identities));
        return new EmbeddingScatterPlot(PrincipalComponents.Project2D(features, rows, dim), [.. identities]);
    }

    /// <summary>The projected points, [rows, 2] row-major.</summary>
    public IReadOnlyList<double> Points => _points;

    public byte[] RenderPng(int width = 800, int height = 600) => PlotFile.Render(ToSpec(width, height));

    public void SavePng(string path, int width = 800, int height = 600) => PlotFile.Save(path, ToSpec(width, height));

    public string DataHash(int width = 800, int height = 600) => PlotFile.DataHash(ToSpec(width, height));

    internal PlotSpec ToSpec(int width, int height)
    {
        var shown = _identities.GroupBy(id => id).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Take(MaxIdentities).Select(g => g.Key).Order().ToList();
        var series = shown.Select((id, colour) =>
        {
            var rows = Enumerable.Range(0, _identities.Length).Where(r => _identities[r] == id).ToArray();
            return new PlotSeries($"id {id}", [.. rows.Select(r => _points[2 * r])], [.. rows.Select(r => _points[2 * r + 1])], Markers: true, Line: false, colour);
        }).ToList();
        string title = shown.Count < _identities.Distinct().Count() ? $"{Title}, {shown.Count} of {_identities.Distinct().Count()} identities" : Title;
        return new PlotSpec(title, [new PlotPanel("", "principal component 1", "principal component 2", series, ShowLegend: shown.Count <= 12)], width, height);
    }
}
