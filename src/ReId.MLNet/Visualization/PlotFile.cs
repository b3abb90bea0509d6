using System.Security.Cryptography;
using System.Text.Json;
using ReId.MLNet.IO;

namespace ReId.MLNet.Visualization;

/// <summary>What every plot does with its <see cref="PlotSpec"/>: draw it, save it atomically, hash its data.</summary>
internal static class PlotFile
{
    public static byte[] Render(PlotSpec spec)
    {
        if (spec.Width < 200 || spec.Height < 150) throw new ArgumentOutOfRangeException(nameof(spec), $"a plot needs at least 200×150 pixels, not {spec.Width}×{spec.Height}");
        return PlottingLoadContext.RenderPng(spec);
    }

    public static void Save(string path, PlotSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] png = Render(spec);
        AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>SHA-256 of the drawn data (series, labels, ranges) as JSON: equal data give equal hashes, whatever the fonts.</summary>
    public static string DataHash(PlotSpec spec) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec, PlottingLoadContext.Json))).ToLowerInvariant();

    public static PlotSeries Series(ChartSeries s, int colorIndex, double scale = 1, bool markers = true) =>
        new(s.Name, [.. s.X], [.. s.Y.Select(y => y * scale)], markers, Line: true, colorIndex);
}
