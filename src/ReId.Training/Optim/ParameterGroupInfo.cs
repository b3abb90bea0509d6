namespace ReId.Training.Optim;

/// <summary>What the factory put into one optimiser parameter group (schedulers scale <see cref="BaseLearningRate"/>).</summary>
/// <param name="Name">Group name, e.g. "backbone.weight" or "head.bias".</param>
/// <param name="BaseLearningRate">Learning rate before scheduling.</param>
/// <param name="WeightDecay">Weight decay of the group.</param>
/// <param name="ParameterNames">Names of the parameters in the group.</param>
public sealed record ParameterGroupInfo(string Name, double BaseLearningRate, double WeightDecay, IReadOnlyList<string> ParameterNames);
