namespace ReId.Training.Optim;

/// <summary>
/// Drives an optimiser's learning rates from a schedule. Its only state is the step counter
/// (<see cref="Step"/>), which a checkpoint stores and <see cref="Restore"/> puts back.
/// </summary>
internal sealed class LearningRateScheduler
{
    private readonly ReIdOptimizer _optimizer;

    public LearningRateScheduler(ReIdOptimizer optimizer, ILearningRateSchedule schedule, int step = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        _optimizer = optimizer;
        Schedule = schedule;
        Restore(step);
    }

    public ILearningRateSchedule Schedule { get; }

    /// <summary>The current step; the optimiser's rates are the base rates × Factor(Step).</summary>
    public int Step { get; private set; }

    public double CurrentFactor => Schedule.Factor(Step);

    /// <summary>Moves to the next step and applies its learning rates.</summary>
    public void Advance() => Restore(Step + 1);

    /// <summary>Jumps to <paramref name="step"/> (resume) and applies its learning rates.</summary>
    public void Restore(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Step = step;
        _optimizer.ScaleLearningRates(Schedule.Factor(step));
    }
}
