using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Optim;

/// <summary>
/// TorchSharp's Adam (same options, parameter groups and <see cref="Adam.State"/>, so checkpoints are unchanged) whose
/// step owns every Scalar it passes to libtorch: TorchSharp 0.107's step passes implicit Scalars (<c>mul_(beta1)</c>,
/// <c>add(param, alpha: weight_decay)</c>, …) that a garbage collection can free during the native call (issue 17).
/// The arithmetic is TorchSharp's, operation for operation.
/// </summary>
public sealed class ScalarSafeAdam(IEnumerable<Adam.ParamGroup> groups, double lr, double beta1, double beta2, double eps)
    : Adam(groups, lr, beta1, beta2, eps)
{
    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, decay = options.weight_decay!.Value, eps = options.eps!.Value;
        double lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var decayScalar = decay.ToScalar();
        using var epsScalar = eps.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = grad.neg();
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step);
            double correction2 = 1 - Math.Pow(beta2, state.step);
            if (decay != 0) grad = grad.add(param, decayScalar);
            state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
            Tensor second = state.exp_avg_sq;
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = torch.maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                second = state.max_exp_avg_sq;
            }
            using var root = Math.Sqrt(correction2).ToScalar();
            using var stepSize = (-(lr / correction1)).ToScalar();
            var denominator = second.sqrt().div(root).add_(epsScalar, Utils.OwnedScalarMath.One);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
