using ReId.Training.Optim;

namespace ReId.Training.Tests.Optim;

public sealed class SchedulerTests
{
    [Theory]
    [InlineData(0, 0.01)]
    [InlineData(5, 0.505)] // 0.01·0.5 + 0.5
    [InlineData(9, 0.901)] // 0.01·0.1 + 0.9
    [InlineData(10, 1.0)]
    [InlineData(39, 1.0)]
    [InlineData(40, 0.1)]
    [InlineData(69, 0.1)]
    [InlineData(70, 0.01)]
    [InlineData(119, 0.01)]
    public void MultiStepFactorsAtGivenEpochs(int epoch, double expected)
    {
        var schedule = new WarmupMultiStepScheduler([40, 70], 0.1, 10, 0.01);
        Assert.Equal(expected, schedule.Factor(epoch), 12);
    }

    [Theory]
    [InlineData(0, 0.01)]
    [InlineData(2, 0.505)]
    [InlineData(4, 1.0)]
    [InlineData(9, 0.55)] // 0.1 + 0.9·(1 + cos(π/2))/2
    [InlineData(14, 0.1)]
    [InlineData(20, 0.1)]
    public void CosineFactorsAtGivenSteps(int step, double expected)
    {
        var schedule = new WarmupCosineScheduler(totalSteps: 14, warmupSteps: 4, warmupFactor: 0.01, minFactor: 0.1);
        Assert.Equal(expected, schedule.Factor(step), 12);
    }

    [Fact]
    public void NonIncreasingMilestonesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new WarmupMultiStepScheduler([40, 40]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineScheduler(5, 5));
    }
}
