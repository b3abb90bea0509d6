using ReId.Training.Losses;

namespace ReId.Training.Methods;

/// <summary>What a method's loss over a batch gives the trainer: the loss to back-propagate, its named terms, and right predictions.</summary>
/// <param name="Loss">Total loss and its terms ("ce" and "triplet" feed the identity and metric columns of metrics.csv).</param>
/// <param name="Correct">Images whose identity the classifier predicted right (for the accuracy column).</param>
public sealed record StepResult(ReIdLossResult Loss, long Correct) : IDisposable
{
    public void Dispose() => Loss.Dispose();
}
