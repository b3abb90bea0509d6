namespace ReId.Training.Optim;

/// <summary>A learning-rate multiplier as a function of the training step (epochs or iterations, as the caller counts).</summary>
public interface ILearningRateSchedule
{
    /// <summary>Multiplier of the base learning rates at <paramref name="step"/> (0-based).</summary>
    double Factor(int step);
}
