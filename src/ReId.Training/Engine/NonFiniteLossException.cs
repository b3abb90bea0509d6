using System.Globalization;

namespace ReId.Training.Engine;

/// <summary>
/// A training step's loss, or its gradients, were NaN or infinite. The trainer throws it before the optimiser step, so
/// the step changes no weight and no checkpoint is written: the run folder's newest checkpoint is the last good state.
/// </summary>
public sealed class NonFiniteLossException : InvalidOperationException
{
    /// <param name="gradientNorm">The joint gradient norm when the loss was finite but its gradients were not; NaN otherwise.</param>
    public NonFiniteLossException(string method, int epoch, int batch, int batches, double total, IReadOnlyDictionary<string, double> terms,
        double gradientNorm = double.NaN, IReadOnlyList<string>? nonFiniteGradients = null)
        : base(Describe(method, epoch, batch, batches, total, terms, gradientNorm, nonFiniteGradients ?? []))
    {
        Method = method;
        Epoch = epoch;
        Batch = batch;
        NonFiniteTerms = [.. terms.Where(t => !double.IsFinite(t.Value)).Select(t => t.Key).Order(StringComparer.Ordinal)];
        NonFiniteGradients = nonFiniteGradients ?? [];
    }

    /// <summary>The training method whose loss it was.</summary>
    public string Method { get; }

    /// <summary>Epoch of the step (1-based).</summary>
    public int Epoch { get; }

    /// <summary>Batch of the epoch (1-based).</summary>
    public int Batch { get; }

    /// <summary>Names of the loss terms that were not finite (empty when only the total was).</summary>
    public IReadOnlyList<string> NonFiniteTerms { get; }

    /// <summary>Names of the parameters whose gradient held NaN or ∞ (empty when the loss itself was not finite).</summary>
    public IReadOnlyList<string> NonFiniteGradients { get; }

    private static string Describe(string method, int epoch, int batch, int batches, double total, IReadOnlyDictionary<string, double> terms,
        double gradientNorm, IReadOnlyList<string> nonFiniteGradients)
    {
        static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        string after = "Training stopped before this step's update: no weight changed and no checkpoint was written, so the run's newest " +
                       "checkpoint ('last', or 'epoch-000' before the first epoch ended) is the last good state. Lower the learning rate or " +
                       "check the data, then continue with --resume.";
        if (double.IsFinite(total))
            return $"{method}: the loss of epoch {epoch}, batch {batch} of {batches} is {F(total)} but its gradients are not finite " +
                   $"(joint norm {F(gradientNorm)}{Parameters(nonFiniteGradients)}). {after}";
        var bad = terms.Where(t => !double.IsFinite(t.Value)).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} = {F(t.Value)}").ToList();
        string which = bad.Count > 0
            ? $"non-finite terms: {string.Join(", ", bad)}"
            : $"every term finite ({string.Join(", ", terms.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} = {F(t.Value)}"))}) but not their weighted sum";
        return $"{method}: the loss of epoch {epoch}, batch {batch} of {batches} is {F(total)} ({which}). {after}";
    }

    private static string Parameters(IReadOnlyList<string> names) => names.Count == 0 ? "" :
        $"; {names.Count} parameter{(names.Count == 1 ? "" : "s")} with NaN/∞ gradients: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", …" : "")}";
}
