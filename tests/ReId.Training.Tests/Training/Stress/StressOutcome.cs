namespace ReId.Training.Tests.Training.Stress;

/// <summary>What one stress run did: fine-tuning steps taken, collections forced, wall time and the final mAP (a sanity value).</summary>
public sealed record StressOutcome(string Variant, long Steps, long Collections, double Seconds, double FinalMap)
{
    public override string ToString() =>
        $"{Variant}: {Steps} training steps, {Collections} forced collections, {Seconds:F1} s, final mAP {FinalMap:P1}";
}
