using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>The total loss to back-propagate and each weighted term's value for logging.</summary>
/// <param name="Total">Scalar tensor (owned by the caller).</param>
/// <param name="Terms">Unweighted value of each active term by name ("ce", "triplet", "center", "supcon").</param>
public sealed record ReIdLossResult(Tensor Total, IReadOnlyDictionary<string, double> Terms) : IDisposable
{
    public void Dispose() => Total.Dispose();
}
