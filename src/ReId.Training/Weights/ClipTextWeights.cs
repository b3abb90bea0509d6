using ReId.Training.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Weights;

/// <summary>
/// Loads a CLIP text encoder from safetensors in the OpenAI or Hugging Face layout, inferring the architecture
/// (vocabulary, context length, width, layers, output size) from tensor shapes; heads follow OpenAI's
/// width / 64 rule unless overridden. The image tower and CLIP's other tensors in a full checkpoint are ignored.
/// Also writes an encoder in either layout. Nothing is ever unpickled.
/// </summary>
public static class ClipTextWeights
{
    private const string HfPrefix = "text_model.";

    /// <summary>Detects the layout of a set of tensor names, or throws naming <paramref name="source"/>.</summary>
    public static ClipLayout DetectLayout(IEnumerable<string> names, string source)
    {
        var set = names as ICollection<string> ?? names.ToList();
        if (set.Contains("text_model.embeddings.token_embedding.weight")) return ClipLayout.HuggingFace;
        if (set.Contains("token_embedding.weight")) return ClipLayout.OpenAi;
        throw new InvalidDataException($"{source}: no CLIP text encoder found; expected 'token_embedding.weight' (OpenAI) or 'text_model.embeddings.token_embedding.weight' (Hugging Face).");
    }

    /// <summary>
    /// Builds and fills an encoder from a safetensors file. <paramref name="configure"/> may set the heads; the
    /// fields the weights determine (vocabulary, context, width, layers, output) are overwritten from them.
    /// </summary>
    public static (ClipTextTransformer Model, LoadReport Report) Load(string path, Action<ClipTextOptions>? configure = null)
    {
        var file = ClipCheckpointFile.Read(path);
        var source = $"Safetensors file '{path}'";
        var tensors = file.Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try { return Load(tensors, source, configure); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>Same as <see cref="Load(string, Action{ClipTextOptions}?)"/> from tensors in memory.</summary>
    public static (ClipTextTransformer Model, LoadReport Report) Load(IReadOnlyDictionary<string, Tensor> tensors, string source, Action<ClipTextOptions>? configure = null)
    {
        var layout = DetectLayout(tensors.Keys.ToList(), source);
        var (openAi, unexpected) = layout == ClipLayout.HuggingFace ? FromHuggingFace(tensors) : FromOpenAi(tensors);
        try
        {
            var tokens = Require(openAi, "token_embedding.weight", source);
            var pos = Require(openAi, "positional_embedding", source);
            if (tokens.dim() != 2)
                throw new InvalidDataException($"{source}: token embedding has shape [{string.Join(",", tokens.shape)}]; expected [vocabulary, width].");
            int vocab = (int)tokens.shape[0], width = (int)tokens.shape[1];
            if (pos.dim() != 2 || pos.shape[1] != width)
                throw new InvalidDataException($"{source}: positional embedding has shape [{string.Join(",", pos.shape)}]; expected [context, {width}].");
            int output = 0;
            if (openAi.TryGetValue("text_projection", out var proj))
            {
                if (proj.dim() != 2 || proj.shape[0] != width)
                    throw new InvalidDataException($"{source}: text projection has shape [{string.Join(",", proj.shape)}] in OpenAI orientation; expected [{width}, output].");
                output = (int)proj.shape[1];
            }
            int layers = ClipBlockNames.CountLayers(openAi.Keys);

            var o = new ClipTextOptions();
            configure?.Invoke(o);
            o.VocabSize = vocab; o.ContextLength = (int)pos.shape[0]; o.Width = width; o.Layers = layers; o.OutputDim = output;
            var model = new ClipTextTransformer(o);
            var report = StateDictIO.Load(model, openAi, source);
            var extra = report.UnexpectedKeys.Concat(unexpected).OrderBy(k => k, StringComparer.Ordinal).ToList();
            model.eval();
            return (model, new LoadReport(report.MissingKeys, extra));
        }
        finally
        {
            foreach (var t in openAi.Values) t.Dispose();
        }
    }

    /// <summary>Writes the encoder's weights in <paramref name="layout"/> (OpenAI names are top-level, as in a full CLIP file).</summary>
    public static void Save(ClipTextTransformer model, string path, ClipLayout layout)
    {
        var list = new List<SafetensorsTensor>();
        int d = model.Options.Width;
        foreach (var (k, v) in model.state_dict())
        {
            if (layout == ClipLayout.OpenAi)
            {
                list.Add(StateDictIO.ToSafetensors(k, v));
                continue;
            }
            if (ClipBlockNames.TryAddHuggingFace(k, v, HfPrefix, d, list)) continue;
            string name = k switch
            {
                "token_embedding.weight" => HfPrefix + "embeddings.token_embedding.weight",
                "positional_embedding" => HfPrefix + "embeddings.position_embedding.weight",
                "ln_final.weight" => HfPrefix + "final_layer_norm.weight",
                "ln_final.bias" => HfPrefix + "final_layer_norm.bias",
                "text_projection" => "text_projection.weight",
                _ => throw new InvalidOperationException($"No Hugging Face name for '{k}'."),
            };
            list.Add(StateDictIO.ToSafetensors(name, k == "text_projection" ? v.t() : v));
        }
        new SafetensorsFile(list).Write(path);
    }

    private static Tensor Require(Dictionary<string, Tensor> t, string key, string source) =>
        t.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: tensor '{key}' is missing.");

    // Parts of a full CLIP checkpoint that are not the text tower: the image tower, the logit scale, position-id
    // buffers, and the hyper-parameter scalars some converted OpenAI files keep.
    private static bool IsOtherClipPart(string k) =>
        k.StartsWith("visual.", StringComparison.Ordinal) || k.StartsWith("vision_model.", StringComparison.Ordinal)
        || k is "visual_projection.weight" or "logit_scale" or "input_resolution" or "context_length" or "vocab_size"
        || k.EndsWith("position_ids", StringComparison.Ordinal);

    private static (Dictionary<string, Tensor>, List<string>) FromOpenAi(IReadOnlyDictionary<string, Tensor> src)
    {
        var map = new Dictionary<string, Tensor>();
        var unexpected = new List<string>();
        foreach (var (k, v) in src)
        {
            // Unknown top-level names go to the module so its load report lists them as unexpected.
            if (!IsOtherClipPart(k)) map[k] = v.alias();
        }
        return (map, unexpected);
    }

    private static (Dictionary<string, Tensor>, List<string>) FromHuggingFace(IReadOnlyDictionary<string, Tensor> src)
    {
        var map = new Dictionary<string, Tensor>();
        var unexpected = new List<string>();
        var qkv = new Dictionary<string, Tensor?[]>();
        foreach (var (k, v) in src)
        {
            if (k == "text_projection.weight") { map["text_projection"] = StateDictIO.Transposed(v); continue; }
            if (IsOtherClipPart(k)) continue;
            if (!k.StartsWith(HfPrefix, StringComparison.Ordinal)) { unexpected.Add(k); continue; }
            string r = k[HfPrefix.Length..];
            if (r.StartsWith("encoder.layers.", StringComparison.Ordinal))
            {
                if (!ClipBlockNames.TryAddOpenAi(r, v, map, qkv)) unexpected.Add(k);
                continue;
            }
            string? name = r switch
            {
                "embeddings.token_embedding.weight" => "token_embedding.weight",
                "embeddings.position_embedding.weight" => "positional_embedding",
                "final_layer_norm.weight" => "ln_final.weight",
                "final_layer_norm.bias" => "ln_final.bias",
                _ => null,
            };
            if (name is null) unexpected.Add(k);
            else map[name] = v.alias();
        }
        ClipBlockNames.PackQkv(qkv, map);
        return (map, unexpected);
    }
}
