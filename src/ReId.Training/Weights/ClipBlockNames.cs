using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Weights;

/// <summary>
/// Names of CLIP's residual attention blocks in both layouts, shared by the image- and text-tower loaders:
/// OpenAI's <c>transformer.resblocks.i.{attn.in_proj_*, attn.out_proj, ln_1, ln_2, mlp.c_fc, mlp.c_proj}</c> and
/// Hugging Face's <c>encoder.layers.i.{self_attn.{q,k,v,out}_proj, layer_norm1, layer_norm2, mlp.fc1, mlp.fc2}</c>
/// (under the tower's prefix), where q, k and v are separate tensors instead of one packed projection.
/// </summary>
internal static partial class ClipBlockNames
{
    /// <summary>Number of blocks among OpenAI-named keys (highest index + 1).</summary>
    public static int CountLayers(IEnumerable<string> openAiKeys) =>
        openAiKeys.Select(k => OpenAiBlock().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value) + 1).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Writes an OpenAI block tensor under its Hugging Face name(s) (the packed projection split into q, k, v of
    /// <paramref name="width"/> rows each); false when <paramref name="key"/> is not a block tensor.
    /// </summary>
    public static bool TryAddHuggingFace(string key, Tensor value, string hfPrefix, int width, List<SafetensorsTensor> output)
    {
        var m = OpenAiBlock().Match(key);
        if (!m.Success) return false;
        string pre = $"{hfPrefix}encoder.layers.{m.Groups[1].Value}.";
        string rest = m.Groups[2].Value;
        if (rest is "attn.in_proj_weight" or "attn.in_proj_bias")
        {
            string suffix = rest.EndsWith("weight", StringComparison.Ordinal) ? "weight" : "bias";
            string[] parts = ["q", "k", "v"];
            for (int j = 0; j < 3; j++)
                output.Add(StateDictIO.ToSafetensors($"{pre}self_attn.{parts[j]}_proj.{suffix}", value.narrow(0, j * width, width)));
            return true;
        }
        output.Add(StateDictIO.ToSafetensors(pre + rest
            .Replace("attn.out_proj", "self_attn.out_proj").Replace("ln_1", "layer_norm1").Replace("ln_2", "layer_norm2")
            .Replace("mlp.c_fc", "mlp.fc1").Replace("mlp.c_proj", "mlp.fc2"), value));
        return true;
    }

    /// <summary>
    /// Maps a Hugging Face block tensor (name relative to the tower prefix) into <paramref name="map"/> under its OpenAI
    /// name, collecting q/k/v parts in <paramref name="qkv"/> until <see cref="PackQkv"/>; returns false when the name is
    /// not a block tensor or not a known part of one.
    /// </summary>
    public static bool TryAddOpenAi(string relativeKey, Tensor value, Dictionary<string, Tensor> map, Dictionary<string, Tensor?[]> qkv)
    {
        var m = HfLayer().Match(relativeKey);
        if (!m.Success) return false;
        string i = m.Groups[1].Value, rest = m.Groups[2].Value;
        var q = HfQkv().Match(rest);
        if (q.Success)
        {
            string key = $"transformer.resblocks.{i}.attn.in_proj_{q.Groups[2].Value}";
            if (!qkv.TryGetValue(key, out var parts)) qkv[key] = parts = new Tensor?[3];
            parts["qkv".IndexOf(q.Groups[1].Value[0])] = value;
            return true;
        }
        var p = HfBlockPart().Match(rest);
        if (!p.Success) return false;
        string part = p.Groups[1].Value switch
        {
            "self_attn.out_proj" => "attn.out_proj",
            "layer_norm1" => "ln_1",
            "layer_norm2" => "ln_2",
            "mlp.fc1" => "mlp.c_fc",
            _ => "mlp.c_proj",
        };
        map[$"transformer.resblocks.{i}.{part}.{p.Groups[2].Value}"] = value.alias();
        return true;
    }

    /// <summary>Packs complete q/k/v triples into <c>in_proj_*</c>; a partial triple stays missing so the load report names it.</summary>
    public static void PackQkv(Dictionary<string, Tensor?[]> qkv, Dictionary<string, Tensor> map)
    {
        foreach (var (key, parts) in qkv)
            if (parts.All(p => p is not null)) map[key] = torch.cat(parts!, 0);
    }

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.(.+)$")]
    private static partial Regex OpenAiBlock();

    [GeneratedRegex(@"^encoder\.layers\.(\d+)\.(.+)$")]
    private static partial Regex HfLayer();

    [GeneratedRegex(@"^self_attn\.([qkv])_proj\.(weight|bias)$")]
    private static partial Regex HfQkv();

    [GeneratedRegex(@"^(self_attn\.out_proj|layer_norm1|layer_norm2|mlp\.fc1|mlp\.fc2)\.(weight|bias)$")]
    private static partial Regex HfBlockPart();
}
