namespace ReId.Training.Optim;

/// <summary>
/// Linear warm-up from <c>warmupFactor</c> to 1 over <c>warmupSteps</c>, then cosine decay from 1 to <c>minFactor</c>
/// at <c>totalSteps</c>: factor = min + (1 − min)·(1 + cos(π·(step − warmup)/(total − warmup)))/2.
/// </summary>
public sealed class WarmupCosineScheduler : ILearningRateSchedule
{
    public WarmupCosineScheduler(int totalSteps, int warmupSteps = 10, double warmupFactor = 0.01, double minFactor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps <= warmupSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"Total steps must exceed the {warmupSteps} warm-up steps.");
        }

        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        WarmupFactor = warmupFactor;
        MinFactor = minFactor;
    }

    public int TotalSteps { get; }
    public int WarmupSteps { get; }
    public double WarmupFactor { get; }
    public double MinFactor { get; }

    public double Factor(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return Warmup.Linear(step, WarmupSteps, WarmupFactor);
        }

        double progress = Math.Min(1, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        return MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
