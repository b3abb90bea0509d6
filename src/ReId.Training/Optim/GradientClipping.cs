using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Optim;

/// <summary>Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradientClipping
{
    /// <summary>Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping. No-op when maxNorm ≤ 0.</summary>
    public static double ClipByNorm(IEnumerable<TorchSharp.Modules.Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var withGrad = parameters.Where(p => p.grad is not null).ToList();
        if (withGrad.Count == 0)
        {
            return 0;
        }

        if (maxNorm <= 0)
        {
            using var scope = NewDisposeScope();
            return stack(withGrad.Select(p => p.grad!.norm()).ToArray()).norm().item<float>();
        }

        return nn.utils.clip_grad_norm_(withGrad, maxNorm);
    }
}
