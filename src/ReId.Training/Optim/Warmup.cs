namespace ReId.Training.Optim;

/// <summary>Linear warm-up factor shared by the schedulers.</summary>
internal static class Warmup
{
    public static double Linear(int step, int warmupSteps, double warmupFactor)
    {
        if (step >= warmupSteps)
        {
            return 1;
        }

        double alpha = (double)step / warmupSteps;
        return warmupFactor * (1 - alpha) + alpha;
    }
}
