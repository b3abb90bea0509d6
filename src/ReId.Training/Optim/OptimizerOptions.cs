namespace ReId.Training.Optim;

/// <summary>Settings of <see cref="OptimizerFactory"/>; defaults are the bag-of-tricks baseline (Adam, 3.5e-4, wd 5e-4, bias lr ×2 without decay).</summary>
public sealed class OptimizerOptions
{
    public OptimizerKind Kind { get; set; } = OptimizerKind.Adam;
    public double LearningRate { get; set; } = 3.5e-4;
    public double WeightDecay { get; set; } = 5e-4;
    /// <summary>Learning-rate multiplier of bias (and norm-layer shift) parameters.</summary>
    public double BiasLearningRateFactor { get; set; } = 2;
    /// <summary>Weight decay of bias parameters (0 as in the bag of tricks).</summary>
    public double BiasWeightDecay { get; set; }
    public double Momentum { get; set; } = 0.9;
    public bool Nesterov { get; set; }
    public double Beta1 { get; set; } = 0.9;
    public double Beta2 { get; set; } = 0.999;
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>Parses "adam", "adamw" or "sgd" (case-insensitive).</summary>
    public static OptimizerKind ParseKind(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "adam" => OptimizerKind.Adam,
        "adamw" => OptimizerKind.AdamW,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"Unknown optimiser '{name}'; expected adam, adamw or sgd.", nameof(name)),
    };
}
