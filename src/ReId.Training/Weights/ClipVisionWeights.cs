using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Weights;

/// <summary>
/// Loads a CLIP ViT image encoder from safetensors in the OpenAI or Hugging Face layout, inferring the
/// architecture (width, layers, patch size, pretrained grid, output size) from tensor shapes; heads follow
/// OpenAI's width / 64 rule unless overridden. The positional grid is resized for the requested input.
/// Also writes an encoder in either layout. Nothing is ever unpickled.
/// </summary>
public static class ClipVisionWeights
{
    private const string HfPrefix = "vision_model.";

    /// <summary>Detects the layout of a set of tensor names, or throws naming <paramref name="source"/> (also for a ModifiedResNet checkpoint).</summary>
    public static ClipLayout DetectLayout(IEnumerable<string> names, string source)
    {
        var set = names as ICollection<string> ?? names.ToList();
        // A ModifiedResNet checkpoint has visual.conv1.weight too; without this check it would fail later on a missing tensor.
        if (ClipImageEncoders.Detect(set) == ClipImageEncoderKind.ModifiedResNet)
            throw new InvalidDataException($"{source}: holds a CLIP ModifiedResNet image encoder (visual.layer1.*, visual.attnpool.*), not a ViT; load it with {nameof(ClipResNetWeights)}.{nameof(ClipResNetWeights.Load)}.");
        if (set.Contains("vision_model.embeddings.patch_embedding.weight")) return ClipLayout.HuggingFace;
        if (set.Contains("visual.conv1.weight") || set.Contains("conv1.weight")) return ClipLayout.OpenAi;
        throw new InvalidDataException($"{source}: no CLIP ViT image encoder found; expected 'visual.conv1.weight' (OpenAI) or 'vision_model.embeddings.patch_embedding.weight' (Hugging Face).");
    }

    /// <summary>
    /// Builds and fills an encoder from a safetensors file. <paramref name="configure"/> may set input size,
    /// patch stride, heads, cameras; the architecture fields it must not change are overwritten from the weights.
    /// </summary>
    public static (ClipVisionTransformer Model, LoadReport Report) Load(string path, Action<ClipVisionOptions>? configure = null, bool bicubicResize = true)
    {
        var file = ClipCheckpointFile.Read(path);
        var source = $"Safetensors file '{path}'";
        var tensors = file.Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try { return Load(tensors, source, configure, bicubicResize); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>Same as <see cref="Load(string, Action{ClipVisionOptions}?, bool)"/> from tensors in memory.</summary>
    public static (ClipVisionTransformer Model, LoadReport Report) Load(IReadOnlyDictionary<string, Tensor> tensors, string source, Action<ClipVisionOptions>? configure = null, bool bicubicResize = true)
    {
        var layout = DetectLayout(tensors.Keys.ToList(), source);
        var (openAi, unexpected) = layout == ClipLayout.HuggingFace ? FromHuggingFace(tensors) : FromOpenAi(tensors);
        try
        {
            var conv = Require(openAi, "conv1.weight", source);
            var pos = Require(openAi, "positional_embedding", source);
            if (conv.dim() != 4 || conv.shape[1] != 3 || conv.shape[2] != conv.shape[3])
                throw new InvalidDataException($"{source}: patch embedding has shape [{string.Join(",", conv.shape)}]; expected [width, 3, p, p].");
            int width = (int)conv.shape[0], patch = (int)conv.shape[2];
            int grid = (int)Math.Round(Math.Sqrt(pos.shape[0] - 1));
            if (pos.dim() != 2 || grid * grid + 1 != pos.shape[0] || pos.shape[1] != width)
                throw new InvalidDataException($"{source}: positional embedding has shape [{string.Join(",", pos.shape)}]; expected [1 + g², {width}].");
            int layers = ClipBlockNames.CountLayers(openAi.Keys);
            int output = openAi.TryGetValue("proj", out var proj) ? (int)proj.shape[1] : 0;

            var o = new ClipVisionOptions { InputHeight = grid * patch, InputWidth = grid * patch };
            configure?.Invoke(o);
            o.Width = width; o.PatchSize = patch; o.Layers = layers; o.OutputDim = output;
            var model = new ClipVisionTransformer(o);
            if (o.GridHeight != grid || o.GridWidth != grid)
            {
                var resized = ClipVisionTransformer.ResizePositionalEmbedding(pos, grid, grid, o.GridHeight, o.GridWidth, bicubicResize);
                openAi["positional_embedding"] = resized;
            }
            var report = StateDictIO.Load(model, openAi, source);
            // A checkpoint never holds SIE camera embeddings; they start from their initialisation.
            var missing = report.MissingKeys.Where(k => k != "cv_embed").ToList();
            var extra = report.UnexpectedKeys.Concat(unexpected).OrderBy(k => k, StringComparer.Ordinal).ToList();
            model.eval();
            return (model, new LoadReport(missing, extra));
        }
        finally
        {
            foreach (var t in openAi.Values) t.Dispose();
        }
    }

    /// <summary>Writes the encoder's weights in <paramref name="layout"/> (OpenAI names under <c>visual.</c>).</summary>
    public static void Save(ClipVisionTransformer model, string path, ClipLayout layout)
    {
        var state = model.state_dict().Where(p => p.Key != "cv_embed").ToDictionary(p => p.Key, p => p.Value);
        var list = new List<SafetensorsTensor>();
        if (layout == ClipLayout.OpenAi)
        {
            foreach (var (k, v) in state) list.Add(StateDictIO.ToSafetensors("visual." + k, v));
        }
        else
        {
            int d = model.Options.Width;
            foreach (var (k, v) in state)
            {
                if (ClipBlockNames.TryAddHuggingFace(k, v, HfPrefix, d, list)) continue;
                string name = k switch
                {
                    "conv1.weight" => HfPrefix + "embeddings.patch_embedding.weight",
                    "class_embedding" => HfPrefix + "embeddings.class_embedding",
                    "positional_embedding" => HfPrefix + "embeddings.position_embedding.weight",
                    "ln_pre.weight" => HfPrefix + "pre_layrnorm.weight",
                    "ln_pre.bias" => HfPrefix + "pre_layrnorm.bias",
                    "ln_post.weight" => HfPrefix + "post_layernorm.weight",
                    "ln_post.bias" => HfPrefix + "post_layernorm.bias",
                    "proj" => "visual_projection.weight",
                    _ => throw new InvalidOperationException($"No Hugging Face name for '{k}'."),
                };
                list.Add(StateDictIO.ToSafetensors(name, k == "proj" ? v.t() : v));
            }
        }
        new SafetensorsFile(list).Write(path);
    }

    private static Tensor Require(Dictionary<string, Tensor> t, string key, string source) =>
        t.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: tensor '{key}' is missing.");

    private static bool IsOtherClipPart(string k) =>
        k.StartsWith("text_model.") || k.StartsWith("transformer.") || k is "text_projection" or "text_projection.weight"
        or "token_embedding.weight" or "positional_embedding" or "ln_final.weight" or "ln_final.bias" or "logit_scale"
        || k.EndsWith("position_ids");

    private static (Dictionary<string, Tensor>, List<string>) FromOpenAi(IReadOnlyDictionary<string, Tensor> src)
    {
        bool prefixed = src.ContainsKey("visual.conv1.weight");
        var map = new Dictionary<string, Tensor>();
        var unexpected = new List<string>();
        foreach (var (k, v) in src)
        {
            if (prefixed)
            {
                if (k.StartsWith("visual.")) map[k["visual.".Length..]] = v.alias();
                else if (!IsOtherClipPart(k)) unexpected.Add(k);
            }
            else map[k] = v.alias();
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
            if (k == "visual_projection.weight") { map["proj"] = StateDictIO.Transposed(v); continue; }
            if (!k.StartsWith(HfPrefix) || k.EndsWith("position_ids"))
            {
                if (!IsOtherClipPart(k) && !k.EndsWith("position_ids")) unexpected.Add(k);
                continue;
            }
            string r = k[HfPrefix.Length..];
            if (ClipBlockNames.TryAddOpenAi(r, v, map, qkv)) continue;
            string? name = r switch
            {
                "embeddings.patch_embedding.weight" => "conv1.weight",
                "embeddings.class_embedding" => "class_embedding",
                "embeddings.position_embedding.weight" => "positional_embedding",
                "pre_layrnorm.weight" => "ln_pre.weight",
                "pre_layrnorm.bias" => "ln_pre.bias",
                "post_layernorm.weight" => "ln_post.weight",
                "post_layernorm.bias" => "ln_post.bias",
                _ => null,
            };
            if (name is null) unexpected.Add(k);
            else map[name] = v.alias();
        }
        ClipBlockNames.PackQkv(qkv, map);
        return (map, unexpected);
    }
}
