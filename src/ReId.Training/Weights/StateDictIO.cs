using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Weights;

/// <summary>Moves a TorchSharp module's state (parameters and buffers) to and from safetensors tensors.</summary>
public static class StateDictIO
{
    /// <summary>The module's floating-point state as safetensors tensors (names as in <c>state_dict()</c>).</summary>
    public static List<SafetensorsTensor> ToTensors(nn.Module module)
    {
        var list = new List<SafetensorsTensor>();
        foreach (var (name, t) in module.state_dict())
        {
            if (!t.is_floating_point()) continue;
            list.Add(ToSafetensors(name, t));
        }
        return list;
    }

    /// <summary>Copies one tensor to a float32 safetensors tensor.</summary>
    public static SafetensorsTensor ToSafetensors(string name, Tensor t)
    {
        // The scope owns the chain's temporaries: outside one, a temporary that is `this` of the next call can be
        // finalised during that native call (TorchSharp keeps no reference to it; README, Known problems).
        using var scope = torch.NewDisposeScope();
        var c = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return new SafetensorsTensor(name, c.shape, c.data<float>().ToArray());
    }

    /// <summary>A contiguous copy of a 2-D tensor's transpose (Hugging Face stores CLIP's projections transposed).</summary>
    public static Tensor Transposed(Tensor v)
    {
        using var scope = torch.NewDisposeScope(); // owns the transposed view while `contiguous` reads it
        return v.t().contiguous().DetachFromDisposeScope();
    }

    /// <summary>A float32 CPU tensor with the safetensors tensor's values.</summary>
    public static Tensor ToTorch(SafetensorsTensor t) => torch.tensor(t.Data, t.Shape, ScalarType.Float32);

    /// <summary>Saves the module's state to a safetensors file.</summary>
    public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        new SafetensorsFile(ToTensors(module), metadata).Write(path);

    /// <summary>
    /// Copies tensors into the module's state by name. Shapes must agree (an <see cref="InvalidDataException"/>
    /// names the tensor otherwise). Non-float buffers (e.g. BatchNorm's num_batches_tracked) are never missing.
    /// </summary>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source = "weights")
    {
        var state = module.state_dict();
        var missing = new List<string>();
        using (torch.no_grad())
        {
            foreach (var (name, target) in state)
            {
                if (!tensors.TryGetValue(name, out var src))
                {
                    if (target.is_floating_point()) missing.Add(name);
                    continue;
                }
                if (!src.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{source}: tensor '{name}' has shape [{string.Join(",", src.shape)}]; the model expects [{string.Join(",", target.shape)}].");
                target.copy_(src.to(target.dtype, target.device));
            }
        }
        var unexpected = tensors.Keys.Where(k => !state.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        return new LoadReport(missing, unexpected);
    }

    /// <summary>Loads a safetensors file saved by <see cref="Save"/> (same names) into the module.</summary>
    public static LoadReport Load(nn.Module module, string path)
    {
        var file = SafetensorsFile.Read(path);
        var dict = file.Tensors.ToDictionary(p => p.Key, p => ToTorch(p.Value));
        try { return Load(module, dict, $"Safetensors file '{path}'"); }
        finally { foreach (var t in dict.Values) t.Dispose(); }
    }
}
