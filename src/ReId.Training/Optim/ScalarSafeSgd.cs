using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Optim;

/// <summary>
/// TorchSharp's SGD (same options, groups and <see cref="SGD.State"/>) whose step owns every Scalar it passes to
/// libtorch (issue 17; see <see cref="ScalarSafeAdam"/>). The arithmetic is TorchSharp's, operation for operation.
/// </summary>
public sealed class ScalarSafeSgd(IEnumerable<SGD.ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
    : SGD(groups, lr, momentum, dampening, weightDecay, nesterov)
{
    /// <summary>One group of <paramref name="parameters"/> with learning rate <paramref name="lr"/> (plain SGD).</summary>
    public ScalarSafeSgd(IEnumerable<Parameter> parameters, double lr)
        : this([new SGD.ParamGroup { Parameters = parameters }], lr)
    {
    }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, decay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using var momentumScalar = momentum.ToScalar();
        using var oneMinusDampening = (1 - dampening).ToScalar();
        using var decayScalar = decay.ToScalar();
        using var alpha = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (decay != 0) grad = grad.add(param, decayScalar);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    buffer.mul_(momentumScalar).add_(grad, oneMinusDampening);
                }
                grad = nesterov ? grad.add(buffer, momentumScalar) : buffer;
            }
            param.add_(grad, alpha);
        }
    }, closure);
}
