namespace ReId.Training.Optim;

/// <summary>A learning-rate multiplier for parameters whose name starts with <see cref="Prefix"/> (e.g. "backbone." × 0.1 for CLIP).</summary>
/// <param name="Prefix">Parameter-name prefix as in <c>named_parameters()</c>.</param>
/// <param name="LearningRateFactor">Multiplier of the base learning rate.</param>
public sealed record ParameterGroupRule(string Prefix, double LearningRateFactor);
