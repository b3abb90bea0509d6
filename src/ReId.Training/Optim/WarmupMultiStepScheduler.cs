namespace ReId.Training.Optim;

/// <summary>
/// Linear warm-up from <c>warmupFactor</c> to 1 over <c>warmupSteps</c>, then ×gamma at every milestone passed
/// (the bag-of-tricks / CLIP-ReID WarmupMultiStepLR: factor = (w·(1−α) + α) · γ^#{milestones ≤ step}, α = step / warmup).
/// </summary>
public sealed class WarmupMultiStepScheduler : ILearningRateSchedule
{
    private readonly int[] _milestones;

    public WarmupMultiStepScheduler(IReadOnlyList<int> milestones, double gamma = 0.1, int warmupSteps = 10, double warmupFactor = 0.01)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        for (int i = 1; i < milestones.Count; i++)
        {
            if (milestones[i] <= milestones[i - 1])
            {
                throw new ArgumentException($"Milestones must increase; got [{string.Join(", ", milestones)}].", nameof(milestones));
            }
        }

        _milestones = [.. milestones];
        Gamma = gamma;
        WarmupSteps = warmupSteps;
        WarmupFactor = warmupFactor;
    }

    public IReadOnlyList<int> Milestones => _milestones;
    public double Gamma { get; }
    public int WarmupSteps { get; }
    public double WarmupFactor { get; }

    public double Factor(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double warm = Warmup.Linear(step, WarmupSteps, WarmupFactor);
        int passed = _milestones.Count(m => m <= step);
        return warm * Math.Pow(Gamma, passed);
    }
}
