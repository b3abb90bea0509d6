using ReId.Training.Losses;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Models.Heads;

/// <summary>
/// Cosine classifier with an additive margin on the target class (ArcFace / CosFace): logits are
/// <c>s·cos θ_j</c> for other classes and the margin-adjusted value for the label. Feed the logits to cross-entropy.
/// At inference (no labels) it returns plain <c>s·cos θ</c>.
/// </summary>
public sealed class MarginClassifier : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;

    public MarginClassifier(int featureDim, int classes, MarginHeadKind kind, double scale = 30, double margin = 0.5, long seed = 0)
        : base(kind == MarginHeadKind.ArcFace ? "ArcFaceHead" : "CosFaceHead")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        Kind = kind;
        Scale = scale;
        Margin = margin;
        using var generator = new Generator((ulong)seed);
        // Xavier-uniform bound for a [classes, featureDim] matrix.
        double bound = Math.Sqrt(6.0 / (featureDim + classes));
        weight = nn.Parameter(rand(classes, featureDim, generator: generator).Mul(2).Sub(1).Mul(bound));
        RegisterComponents();
    }

    /// <summary>ArcFace head: additive angular margin.</summary>
    public static MarginClassifier ArcFaceHead(int featureDim, int classes, double scale = 30, double margin = 0.5, long seed = 0)
        => new(featureDim, classes, MarginHeadKind.ArcFace, scale, margin, seed);

    /// <summary>CosFace head: additive cosine margin (typical m = 0.35).</summary>
    public static MarginClassifier CosFaceHead(int featureDim, int classes, double scale = 30, double margin = 0.35, long seed = 0)
        => new(featureDim, classes, MarginHeadKind.CosFace, scale, margin, seed);

    public MarginHeadKind Kind { get; }
    public double Scale { get; }
    public double Margin { get; }

    /// <summary>[classes, featureDim] class prototypes.</summary>
    public TorchSharp.Modules.Parameter Weight => weight;

    public override Tensor forward(Tensor features, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var cosine = nn.functional.normalize(features, p: 2, dim: 1).matmul(nn.functional.normalize(weight, p: 2, dim: 1).t());
        if (labels is null)
        {
            return cosine.Mul(Scale).MoveToOuterDisposeScope();
        }

        LossChecks.Logits(cosine, labels);
        Tensor target;
        if (Kind == MarginHeadKind.CosFace)
        {
            target = cosine.Sub(Margin);
        }
        else
        {
            var sine = cosine.Pow(2).SubtractFrom(1).Clamp(0, 1).sqrt();
            var phi = cosine.Mul(Math.Cos(Margin)) - sine.Mul(Math.Sin(Margin));
            // Beyond θ + m > π, cos(θ + m) would rise again; fall back to the CosFace-like linear penalty (insightface).
            double threshold = Math.Cos(Math.PI - Margin);
            double linear = Math.Sin(Math.PI - Margin) * Margin;
            target = where(cosine.Gt(threshold), phi, cosine.Sub(linear));
        }

        var oneHot = nn.functional.one_hot(labels, cosine.shape[1]).to(ScalarType.Bool);
        return where(oneHot, target, cosine).Mul(Scale).MoveToOuterDisposeScope();
    }
}
