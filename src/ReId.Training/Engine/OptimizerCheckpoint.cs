using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Engine;

/// <summary>Optimiser state as named tensors (for safetensors) plus step counters, so a resumed run continues exactly:
/// Adam/AdamW moments (<c>{i}.exp_avg</c>, <c>{i}.exp_avg_sq</c>, <c>{i}.max_exp_avg_sq</c>) and SGD momentum buffers, per parameter in order.</summary>
public static class OptimizerCheckpoint
{
    public static Dictionary<string, Tensor> Export(optim.Optimizer optimizer, out Dictionary<string, long> steps)
    {
        var tensors = new Dictionary<string, Tensor>();
        steps = [];
        var state = Helper(optimizer).state_dict().State;
        for (int i = 0; i < state.Count; i++)
        {
            switch (state[i])
            {
                case Adam.State a:
                    steps[$"{i}"] = a.step;
                    Put(tensors, $"{i}.exp_avg", a.exp_avg);
                    Put(tensors, $"{i}.exp_avg_sq", a.exp_avg_sq);
                    Put(tensors, $"{i}.max_exp_avg_sq", a.max_exp_avg_sq);
                    break;
                case AdamW.State w:
                    steps[$"{i}"] = w.step;
                    Put(tensors, $"{i}.exp_avg", w.exp_avg);
                    Put(tensors, $"{i}.exp_avg_sq", w.exp_avg_sq);
                    Put(tensors, $"{i}.max_exp_avg_sq", w.max_exp_avg_sq);
                    break;
                case SGD.State s:
                    Put(tensors, $"{i}.momentum_buffer", s.momentum_buffer);
                    break;
                default:
                    throw new NotSupportedException($"optimiser state {state[i].GetType().Name} cannot be checkpointed; use adam, adamw or sgd");
            }
        }
        return tensors;
    }

    public static void Import(optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, long> steps)
    {
        var helper = Helper(optimizer);
        var dict = helper.state_dict();
        var state = dict.State;
        for (int i = 0; i < state.Count; i++)
        {
            switch (state[i])
            {
                case Adam.State a:
                    a.step = steps.GetValueOrDefault($"{i}");
                    a.exp_avg = Take(tensors, $"{i}.exp_avg", a.exp_avg);
                    a.exp_avg_sq = Take(tensors, $"{i}.exp_avg_sq", a.exp_avg_sq);
                    a.max_exp_avg_sq = Take(tensors, $"{i}.max_exp_avg_sq", a.max_exp_avg_sq);
                    break;
                case AdamW.State w:
                    w.step = steps.GetValueOrDefault($"{i}");
                    w.exp_avg = Take(tensors, $"{i}.exp_avg", w.exp_avg);
                    w.exp_avg_sq = Take(tensors, $"{i}.exp_avg_sq", w.exp_avg_sq);
                    w.max_exp_avg_sq = Take(tensors, $"{i}.max_exp_avg_sq", w.max_exp_avg_sq);
                    break;
                case SGD.State s:
                    s.momentum_buffer = Take(tensors, $"{i}.momentum_buffer", s.momentum_buffer);
                    break;
            }
        }
        helper.load_state_dict(dict);
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"optimiser {optimizer.GetType().Name} has no state dictionary");

    private static void Put(Dictionary<string, Tensor> tensors, string name, Tensor? value)
    {
        if (value is null || value.IsInvalid) return;
        using var scope = NewDisposeScope(); // owns the chain's temporaries (see StateDictIO.ToSafetensors)
        tensors[name] = value.detach().cpu().clone().DetachFromDisposeScope();
    }

    private static Tensor Take(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor? current)
    {
        if (!tensors.TryGetValue(name, out var saved)) return current!;
        if (current is not null && !current.IsInvalid && !current.shape.SequenceEqual(saved.shape))
            throw new InvalidDataException($"optimiser tensor '{name}' has shape [{string.Join(",", saved.shape)}]; the model needs [{string.Join(",", current.shape)}]");
        using var scope = NewDisposeScope(); // owns the intermediate copy while `to` reads it
        var copy = saved.clone();
        if (current is not null && !current.IsInvalid) copy = copy.to(current.device);
        return copy.DetachFromDisposeScope();
    }
}
