namespace ReId.MLNet.Visualization;

// The data of a picture, handed as JSON from ReId.MLNet (SkiaSharp 2.88, ML.NET's line) to the ScottPlot renderer
// (SkiaSharp 3, loaded into its own AssemblyLoadContext). This file is compiled into both assemblies, so the two
// sides agree on the shape without sharing a type across load contexts.

/// <summary>A picture: panels stacked top to bottom, each with its own axes.</summary>
internal sealed record PlotSpec(string Title, IReadOnlyList<PlotPanel> Panels, int Width, int Height);

/// <summary>One panel: one quantity on its y axis.</summary>
internal sealed record PlotPanel(string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series,
    double? YMin = null, double? YMax = null, bool LogX = false, bool ShowLegend = true, bool LegendAtTop = false);

/// <summary>A line (points joined in order) or a cloud of markers; NaN points are left out.</summary>
/// <param name="ColorIndex">Index into the renderer's fixed palette, so colours do not depend on drawing order.</param>
internal sealed record PlotSeries(string Name, double[] X, double[] Y, bool Markers, bool Line, int ColorIndex);
