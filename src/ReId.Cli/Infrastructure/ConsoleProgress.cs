using System.Diagnostics;

namespace ReId.Cli.Infrastructure;

/// <summary>Periodic progress lines with rate and ETA (at most one every two seconds, plus the last).</summary>
internal sealed class ConsoleProgress(TextWriter writer, string label) : IProgress<(long Done, long Total)>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private double _lastPrint = double.NegativeInfinity;

    public void Report((long Done, long Total) value)
    {
        lock (_gate)
        {
            double t = _clock.Elapsed.TotalSeconds;
            bool last = value.Done >= value.Total;
            if (!last && t - _lastPrint < 2.0) return;
            _lastPrint = t;
            double rate = t > 0 ? value.Done / t : 0;
            double eta = rate > 0 ? (value.Total - value.Done) / rate : 0;
            double pct = value.Total > 0 ? 100.0 * value.Done / value.Total : 100;
            writer.WriteLine($"{label}: {value.Done}/{value.Total} ({pct:F0}%) {rate:F0}/s, ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}");
        }
    }
}
