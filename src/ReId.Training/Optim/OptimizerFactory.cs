using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Optim;

/// <summary>
/// Builds Adam / AdamW / SGD with parameter groups as the bag of tricks does: biases get lr × <c>BiasLearningRateFactor</c> and
/// no weight decay, frozen parameters (requires_grad = false) are left out, and prefix rules give parts of the model
/// their own lr multiplier (the first matching rule wins).
/// </summary>
public static class OptimizerFactory
{
    public static ReIdOptimizer Create(nn.Module module, OptimizerOptions options, params IReadOnlyList<ParameterGroupRule> rules)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Create(module.named_parameters().Select(p => (p.name, p.parameter)), options, rules);
    }

    public static ReIdOptimizer Create(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters, OptimizerOptions options, params IReadOnlyList<ParameterGroupRule> rules)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LearningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(options.WeightDecay);

        // Groups keyed by (rule index, is bias) keep a stable, readable order.
        var buckets = new SortedDictionary<(int Rule, bool Bias), List<(string Name, TorchSharp.Modules.Parameter Parameter)>>();
        foreach (var (name, parameter) in parameters)
        {
            if (!parameter.requires_grad)
            {
                continue;
            }

            int rule = -1;
            for (int r = 0; r < rules.Count; r++)
            {
                if (name.StartsWith(rules[r].Prefix, StringComparison.Ordinal))
                {
                    rule = r;
                    break;
                }
            }

            var key = (rule, IsBias(name));
            if (!buckets.TryGetValue(key, out var list))
            {
                buckets[key] = list = [];
            }

            list.Add((name, parameter));
        }

        if (buckets.Count == 0)
        {
            throw new ArgumentException("No trainable parameter: every parameter is frozen.", nameof(parameters));
        }

        var infos = new List<ParameterGroupInfo>();
        var all = new List<TorchSharp.Modules.Parameter>();
        var groups = new List<(ParameterGroupInfo Info, List<TorchSharp.Modules.Parameter> Parameters)>();
        foreach (var ((rule, bias), list) in buckets)
        {
            double factor = rule < 0 ? 1 : rules[rule].LearningRateFactor;
            double lr = options.LearningRate * factor * (bias ? options.BiasLearningRateFactor : 1);
            double decay = bias ? options.BiasWeightDecay : options.WeightDecay;
            string name = (rule < 0 ? "default" : rules[rule].Prefix.TrimEnd('.')) + (bias ? ".bias" : ".weight");
            var info = new ParameterGroupInfo(name, lr, decay, [.. list.Select(p => p.Name)]);
            infos.Add(info);
            var ps = list.Select(p => p.Parameter).ToList();
            all.AddRange(ps);
            groups.Add((info, ps));
        }

        optim.Optimizer optimizer = options.Kind switch
        {
            // TorchSharp's own steps leave Scalars to the garbage collector during native calls (issue 17).
            OptimizerKind.Adam => new ScalarSafeAdam(
                groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Parameters, g.Info.BaseLearningRate, options.Beta1, options.Beta2, options.Epsilon, g.Info.WeightDecay)),
                options.LearningRate, options.Beta1, options.Beta2, options.Epsilon),
            OptimizerKind.AdamW => new ScalarSafeAdamW(
                groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Parameters, g.Info.BaseLearningRate, options.Beta1, options.Beta2, options.Epsilon, g.Info.WeightDecay)),
                options.LearningRate, options.Beta1, options.Beta2, options.Epsilon),
            OptimizerKind.Sgd => new ScalarSafeSgd(
                groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g.Parameters, g.Info.BaseLearningRate, options.Momentum, 0, g.Info.WeightDecay, options.Nesterov)),
                options.LearningRate, options.Momentum, 0, 0, options.Nesterov),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown optimiser kind."),
        };

        return new ReIdOptimizer(optimizer, infos, all);
    }

    /// <summary>Biases and norm-layer shifts ("….bias"), as the bag of tricks treats them.</summary>
    public static bool IsBias(string parameterName) => parameterName == "bias" || parameterName.EndsWith(".bias", StringComparison.Ordinal);
}
