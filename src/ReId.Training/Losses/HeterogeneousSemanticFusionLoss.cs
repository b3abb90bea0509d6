using ReId.Training.Utils;
using static TorchSharp.torch;

namespace ReId.Training.Losses;

/// <summary>
/// CSGN's Heterogeneous Semantic Fusion loss as we read the abstract: the image feature is classified against the
/// per-identity text features of two prompt banks — those learnt from RGB images and those learnt from their grayscale
/// copies — with a label-smoothed cross-entropy each (CLIP-ReID's image-to-text loss, logits = f·Tᵀ without
/// normalisation or temperature, as CLIP-ReID's stage 2), weighted and summed. The grey bank describes an identity
/// without the colour of its clothes, so its term pulls the feature towards colour-free semantics.
/// </summary>
public sealed class HeterogeneousSemanticFusionLoss
{
    private readonly CrossEntropyLabelSmooth _crossEntropy;

    /// <param name="rgbWeight">Weight of the term against the RGB bank (0 = off).</param>
    /// <param name="greyWeight">Weight of the term against the grey bank (0 = off).</param>
    /// <param name="labelSmoothing">Smoothing ε of both cross-entropies.</param>
    public HeterogeneousSemanticFusionLoss(double rgbWeight = 1, double greyWeight = 1, double labelSmoothing = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rgbWeight);
        ArgumentOutOfRangeException.ThrowIfNegative(greyWeight);
        RgbWeight = rgbWeight;
        GreyWeight = greyWeight;
        _crossEntropy = new CrossEntropyLabelSmooth(labelSmoothing);
    }

    public double RgbWeight { get; }
    public double GreyWeight { get; }

    /// <summary>Weighted sum of both terms; the unweighted values are named "i2t-rgb" and "i2t-grey".</summary>
    /// <param name="features">[B, D] image features in the text space.</param>
    /// <param name="rgbText">[K, D] text feature of every identity's RGB prompt (null only when its weight is 0).</param>
    /// <param name="greyText">[K, D] text feature of every identity's grey prompt (null only when its weight is 0).</param>
    /// <param name="labels">[B] int64 identities in [0, K).</param>
    public ReIdLossResult Forward(Tensor features, Tensor? rgbText, Tensor? greyText, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var terms = new Dictionary<string, double>();
        Tensor total = zeros([], dtype: features.dtype, device: features.device);
        void Add(string name, double weight, Tensor? bank)
        {
            if (weight == 0) return;
            if (bank is null)
                throw new ArgumentNullException(name == "i2t-rgb" ? nameof(rgbText) : nameof(greyText), $"The {name} term has weight {weight} but no text bank was given.");
            if (bank.dim() != 2 || bank.shape[1] != features.shape[1])
                throw new ArgumentException($"The {name} bank is [{string.Join(",", bank.shape)}]; expected [classes, {features.shape[1]}].");
            var value = _crossEntropy.Forward(features.matmul(bank.t()), labels);
            terms[name] = value.detach().cpu().to_type(ScalarType.Float64).item<double>();
            total = total.Add(value.Mul(weight));
        }

        Add("i2t-rgb", RgbWeight, rgbText);
        Add("i2t-grey", GreyWeight, greyText);
        return new ReIdLossResult(total.MoveToOuterDisposeScope(), terms);
    }
}
