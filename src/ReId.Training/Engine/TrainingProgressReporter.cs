using System.Diagnostics;

namespace ReId.Training.Engine;

/// <summary>Training progress as periodic single lines: epoch, step, loss, learning rate, images/s and ETA.</summary>
public sealed class TrainingProgressReporter(TextWriter? writer, double minSecondsBetweenLines = 5)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _last = double.NegativeInfinity;

    /// <summary>Reports a step; prints at most every few seconds, and always on the last step of an epoch.</summary>
    public void Step(string stage, int epoch, int epochs, int step, int steps, double loss, double lr, double imagesPerSecond, double secondsLeft)
    {
        if (writer is null) return;
        double now = _clock.Elapsed.TotalSeconds;
        if (step < steps && now - _last < minSecondsBetweenLines) return;
        _last = now;
        int width = 20, filled = steps > 0 ? (int)Math.Round(width * (double)step / steps) : width;
        string bar = new string('#', filled) + new string('.', width - filled);
        writer.WriteLine($"[{stage}] epoch {epoch}/{epochs} [{bar}] {step}/{steps} loss {loss:F4} lr {lr:G3} {imagesPerSecond:F1} img/s ETA {TimeSpan.FromSeconds(Math.Max(0, Math.Round(secondsLeft))):g}");
        writer.Flush();
    }

    public void Line(string text)
    {
        if (writer is null) return;
        writer.WriteLine(text);
        writer.Flush();
    }
}
