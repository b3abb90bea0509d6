using ReId.Training.Utils;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// The usual ReID objective as a weighted sum: ID loss (label-smoothed cross-entropy on the classifier logits) plus
/// metric losses on the features (batch-hard triplet, center, SupCon), as in the bag-of-tricks baseline.
/// </summary>
public sealed class ReIdLoss
{
    private readonly CrossEntropyLabelSmooth _crossEntropy;
    private readonly TripletLoss _triplet;
    private readonly SupConLoss _supCon;

    /// <param name="options">Weights and settings.</param>
    /// <param name="center">Center loss module when <see cref="ReIdLossOptions.CenterWeight"/> &gt; 0 (its centres must be optimised).</param>
    public ReIdLoss(ReIdLossOptions options, CenterLoss? center = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CenterWeight > 0 && center is null)
        {
            throw new ArgumentException("CenterWeight > 0 needs a CenterLoss module.", nameof(center));
        }

        Options = options;
        Center = center;
        _crossEntropy = new CrossEntropyLabelSmooth(options.LabelSmoothing);
        _triplet = new TripletLoss(options.TripletMargin, options.SoftMarginTriplet, options.TripletMetric);
        _supCon = new SupConLoss(options.SupConTemperature);
    }

    public ReIdLossOptions Options { get; }
    public CenterLoss? Center { get; }

    /// <param name="logits">[B, classes] classifier output (BNNeck: after the BN), or null when the ID loss is off.</param>
    /// <param name="features">[B, D] features for the metric losses (BNNeck: before the BN).</param>
    /// <param name="labels">[B] int64.</param>
    public ReIdLossResult Compute(Tensor? logits, Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var terms = new Dictionary<string, double>();
        Tensor total = zeros([], dtype: features.dtype, device: features.device);
        void Add(string name, double weight, Func<Tensor> term)
        {
            if (weight == 0)
            {
                return;
            }

            var value = term();
            terms[name] = value.detach().cpu().to_type(ScalarType.Float64).item<double>();
            total = total.Add(value.Mul(weight));
        }

        if (Options.CrossEntropyWeight != 0 && logits is null)
        {
            throw new ArgumentNullException(nameof(logits), "CrossEntropyWeight is non-zero but no logits were given.");
        }

        Add("ce", Options.CrossEntropyWeight, () => _crossEntropy.Forward(logits!, labels));
        Add("triplet", Options.TripletWeight, () => _triplet.Forward(features, labels));
        Add("center", Options.CenterWeight, () => Center!.forward(features, labels));
        Add("supcon", Options.SupConWeight, () => _supCon.Forward(features, labels));
        return new ReIdLossResult(total.MoveToOuterDisposeScope(), terms);
    }
}
