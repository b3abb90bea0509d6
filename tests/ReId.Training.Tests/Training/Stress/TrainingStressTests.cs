using System.Globalization;
using Xunit.Abstractions;

namespace ReId.Training.Tests.Training.Stress;

/// <summary>
/// Issue 17: training every method while another thread forces garbage collections must not fail. Opt-in:
/// REID_STRESS_STEPS=N runs N steps per variant (a crash kills the test host: for counting
/// failures use the harness, <c>dotnet run -c Release --project benchmarks/ReId.Benchmarks -- scalar-stress RUNS STEPS</c>).
/// </summary>
public sealed class TrainingStressTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-stress").FullName;

    public static TheoryData<string> Variants() => [.. TrainingStress.Variants];

    /// <summary>
    /// Opt-in (REID_STRESS_STEPS=N), reported as skipped otherwise: every method's run takes minutes under forced collections.
    /// The normal run guards the same fixes more cheaply and deterministically (ScalarOwnershipTests reads the code for unowned
    /// Scalars; CheckpointAndExportUnderCollectionsTests counts Tensors made outside a DisposeScope and loops under forced
    /// collections).
    /// </summary>
    private sealed class StressTheoryAttribute : TheoryAttribute
    {
        public StressTheoryAttribute()
        {
            if (Steps() <= 0) Skip = "set REID_STRESS_STEPS=N to train every method N steps under forced collections";
        }
    }

    private static int Steps() =>
        int.TryParse(Environment.GetEnvironmentVariable("REID_STRESS_STEPS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;

    [StressTheory]
    [MemberData(nameof(Variants))]
    public void TrainingUnderForcedCollectionsCompletes(string variant)
    {
        int steps = Steps();
        var outcome = TrainingStress.Run(variant, steps, _root);
        output.WriteLine(outcome.ToString());
        Assert.True(outcome.Steps >= steps, $"{outcome.Steps} steps taken; expected at least {steps}");
        // At least one collection a second (REID_STRESS_GC_PAUSE_MS lowers the rate; 50 ms still gives about 18 a second).
        Assert.True(outcome.Collections >= outcome.Seconds, $"only {outcome.Collections} forced collections in {outcome.Seconds:F0} s");
        Assert.False(double.IsNaN(outcome.FinalMap));
    }

    /// <summary>
    /// The short form in every run: CLIP-ReID on a tiny ModifiedResNet (prompt stage, fine-tuning, TorchSharp evaluation,
    /// checkpoints, ONNX export, the ML.NET .zip: the machinery every method shares) under back-to-back collections.
    /// </summary>
    [Fact]
    public void ShortTrainingRunUnderBackToBackCollectionsCompletes()
    {
        const int steps = 60;
        var outcome = TrainingStress.Run("clip-reid-rn", steps, _root);
        output.WriteLine(outcome.ToString());
        Assert.True(outcome.Steps >= steps, $"{outcome.Steps} steps taken; expected at least {steps}");
        Assert.True(outcome.Collections > outcome.Steps, $"only {outcome.Collections} forced collections in {outcome.Steps} steps");
        Assert.InRange(outcome.FinalMap, 0.0, 1.0);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
