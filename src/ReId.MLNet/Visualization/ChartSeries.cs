namespace ReId.MLNet.Visualization;

/// <summary>One named line of a plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X coordinates, same length as <paramref name="Y"/>.</param>
/// <param name="Y">Y coordinates; NaN points (not measured there) are left out.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);
