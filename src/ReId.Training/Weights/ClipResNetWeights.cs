using System.Globalization;
using System.Text.RegularExpressions;
using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Weights;

/// <summary>
/// Loads a CLIP ModifiedResNet image encoder (RN50, RN101, RN50x4 …) from safetensors in OpenAI's layout, with or
/// without the <c>visual.</c> prefix, inferring the architecture (layers, width, output size, pretrained grid) from
/// tensor shapes; heads follow OpenAI's width · 32 / 64 rule unless overridden. The attention pool's positional grid
/// is resized for the requested input and last stride. Also writes an encoder in OpenAI's layout. Nothing is ever unpickled.
/// </summary>
public static partial class ClipResNetWeights
{
    private const string Prefix = "visual.";
    private const string PosKey = "attnpool.positional_embedding";

    /// <summary>Metadata keys <see cref="Save"/> writes so a saved encoder loads back with the same configuration.</summary>
    public const string HeadsMetadata = "clip_resnet.heads", InputHeightMetadata = "clip_resnet.input_height",
        InputWidthMetadata = "clip_resnet.input_width", LastStrideMetadata = "clip_resnet.last_stride";

    /// <summary>
    /// Builds and fills an encoder from a safetensors file. <paramref name="configure"/> may set input size, last stride
    /// and heads; layers, width and output size are overwritten from the weights. BatchNorm's <c>num_batches_tracked</c>
    /// counters (integers in files written by PyTorch) are skipped: inference does not use them.
    /// </summary>
    public static (ClipModifiedResNet Model, LoadReport Report) Load(string path, Action<ClipResNetOptions>? configure = null, bool bicubicResize = true)
    {
        var file = ClipCheckpointFile.Read(path);
        var source = $"Safetensors file '{path}'";
        var tensors = file.Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try { return Load(tensors, source, file.Metadata, configure, bicubicResize); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>Same as <see cref="Load(string, Action{ClipResNetOptions}?, bool)"/> from tensors in memory.</summary>
    public static (ClipModifiedResNet Model, LoadReport Report) Load(IReadOnlyDictionary<string, Tensor> tensors, string source, Action<ClipResNetOptions>? configure = null, bool bicubicResize = true) =>
        Load(tensors, source, metadata: null, configure, bicubicResize);

    /// <summary>Writes the encoder's weights in OpenAI's layout (under <c>visual.</c>) with its heads, input size and last stride as metadata.</summary>
    public static void Save(ClipModifiedResNet model, string path)
    {
        var list = model.state_dict()
            .Where(p => p.Value.is_floating_point())
            .Select(p => StateDictIO.ToSafetensors(Prefix + p.Key, p.Value))
            .ToList();
        var o = model.Options;
        var metadata = new Dictionary<string, string>
        {
            [HeadsMetadata] = o.EffectiveHeads.ToString(CultureInfo.InvariantCulture),
            [InputHeightMetadata] = o.InputHeight.ToString(CultureInfo.InvariantCulture),
            [InputWidthMetadata] = o.InputWidth.ToString(CultureInfo.InvariantCulture),
            [LastStrideMetadata] = o.LastStride.ToString(CultureInfo.InvariantCulture),
        };
        new SafetensorsFile(list, metadata).Write(path);
    }

    private static (ClipModifiedResNet Model, LoadReport Report) Load(IReadOnlyDictionary<string, Tensor> tensors, string source,
        IReadOnlyDictionary<string, string>? metadata, Action<ClipResNetOptions>? configure, bool bicubicResize)
    {
        switch (ClipImageEncoders.Detect(tensors.Keys.ToList()))
        {
            case ClipImageEncoderKind.Vit:
                throw new InvalidDataException($"{source}: holds a CLIP ViT image encoder (visual.class_embedding), not a ModifiedResNet; load it with {nameof(ClipVisionWeights)}.{nameof(ClipVisionWeights.Load)}.");
            case ClipImageEncoderKind.Unknown:
                throw new InvalidDataException($"{source}: no CLIP ModifiedResNet image encoder found; expected 'visual.layer1.0.conv1.weight' and 'visual.attnpool.positional_embedding' (OpenAI layout, with or without the 'visual.' prefix).");
        }
        var (state, unexpected) = Strip(tensors);
        try
        {
            var o = Options(state, source, metadata, configure, out int gridH, out int gridW);
            if (o.GridHeight != gridH || o.GridWidth != gridW)
            {
                using var pretrained = state[PosKey];
                state[PosKey] = ClipVisionTransformer.ResizePositionalEmbedding(pretrained, gridH, gridW, o.GridHeight, o.GridWidth, bicubicResize);
            }
            var model = new ClipModifiedResNet(o);
            var report = StateDictIO.Load(model, state, source);
            model.eval();
            var extra = report.UnexpectedKeys.Concat(unexpected).OrderBy(k => k, StringComparer.Ordinal).ToList();
            return (model, new LoadReport(report.MissingKeys, extra));
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>The architecture from the tensor shapes, then the caller's settings, then the grid the positional embedding holds.</summary>
    private static ClipResNetOptions Options(Dictionary<string, Tensor> state, string source, IReadOnlyDictionary<string, string>? metadata,
        Action<ClipResNetOptions>? configure, out int gridH, out int gridW)
    {
        var conv = Require(state, "conv1.weight", source);
        if (conv.dim() != 4 || conv.shape[1] != 3 || conv.shape[2] != 3 || conv.shape[3] != 3)
            throw new InvalidDataException($"{source}: stem convolution 'conv1.weight' has shape [{Shape(conv)}]; expected [width/2, 3, 3, 3].");
        int width = 2 * (int)conv.shape[0];
        var cProj = Require(state, "attnpool.c_proj.weight", source);
        var pos = Require(state, PosKey, source);
        if (pos.dim() != 2 || pos.shape[1] != 32L * width || pos.shape[0] < 2)
            throw new InvalidDataException($"{source}: '{PosKey}' has shape [{Shape(pos)}]; expected [1 + gridH·gridW, {32 * width}] for width {width}.");
        if (cProj.dim() != 2 || cProj.shape[1] != 32L * width)
            throw new InvalidDataException($"{source}: 'attnpool.c_proj.weight' has shape [{Shape(cProj)}]; expected [output, {32 * width}].");
        var layers = new int[4];
        foreach (var m in state.Keys.Select(k => BlockKey().Match(k)).Where(m => m.Success))
        {
            int layer = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
            layers[layer] = Math.Max(layers[layer], int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + 1);
        }
        for (int i = 0; i < 4; i++)
            if (layers[i] == 0)
                throw new InvalidDataException($"{source}: no blocks found for layer{i + 1}; expected tensors named 'layer{i + 1}.0.conv1.weight' and so on.");

        long positions = pos.shape[0] - 1;
        int square = (int)Math.Round(Math.Sqrt(positions));
        var o = new ClipResNetOptions { Heads = MetadataInt(metadata, HeadsMetadata) ?? 0 };
        int? savedH = MetadataInt(metadata, InputHeightMetadata), savedW = MetadataInt(metadata, InputWidthMetadata), savedStride = MetadataInt(metadata, LastStrideMetadata);
        (int H, int W)? grid = null;
        if (savedH is > 0 && savedW is > 0 && savedStride is 1 or 2)
        {
            // Written by Save: the positional embedding is sized for the saved input and last stride, square or not.
            o.InputHeight = savedH.Value; o.InputWidth = savedW.Value; o.LastStride = savedStride.Value;
            if (o.GridHeight * (long)o.GridWidth == positions) grid = (o.GridHeight, o.GridWidth);
        }
        else if ((long)square * square == positions)
        {
            // OpenAI trained on square inputs: a g×g grid at stride 32.
            grid = (square, square);
            o.InputHeight = o.InputWidth = 32 * square;
        }
        configure?.Invoke(o);
        o.Width = width;
        o.Layers = layers;
        o.OutputDim = (int)cProj.shape[0];
        // A non-square grid without metadata (e.g. a ReID checkpoint) is taken from the caller's input or pretrained grid when one fits.
        grid ??= o.GridHeight * (long)o.GridWidth == positions ? (o.GridHeight, o.GridWidth)
            : o.PretrainedGridHeight * (long)o.PretrainedGridWidth == positions ? (o.PretrainedGridHeight, o.PretrainedGridWidth)
            : throw new InvalidDataException($"{source}: '{PosKey}' holds {positions} grid positions, which is neither a square grid nor the {o.GridHeight}x{o.GridWidth} grid of the requested input; set PretrainedGridHeight and PretrainedGridWidth to the grid it was trained for.");
        (gridH, gridW) = grid.Value;
        o.PretrainedGridHeight = gridH;
        o.PretrainedGridWidth = gridW;
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        return o;
    }

    /// <summary>The image encoder's tensors without the <c>visual.</c> prefix; other names that are not part of CLIP's text tower are unexpected.</summary>
    private static (Dictionary<string, Tensor> State, List<string> Unexpected) Strip(IReadOnlyDictionary<string, Tensor> src)
    {
        bool prefixed = src.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal));
        var map = new Dictionary<string, Tensor>();
        var unexpected = new List<string>();
        foreach (var (k, v) in src)
        {
            if (IsBatchCounter(k) || IsTextTower(k)) continue;
            if (!prefixed) map[k] = v.alias();
            else if (k.StartsWith(Prefix, StringComparison.Ordinal)) map[k[Prefix.Length..]] = v.alias();
            else unexpected.Add(k);
        }
        return (map, unexpected);
    }

    // BatchNorm's step counter only matters to momentum-free training; it is an int64 PyTorch writes with every BN.
    private static bool IsBatchCounter(string k) => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) || k == "num_batches_tracked";

    // A full CLIP checkpoint holds the text tower next to visual.*; those tensors belong to the text encoder's loader.
    private static bool IsTextTower(string k) =>
        k.StartsWith("transformer.", StringComparison.Ordinal)
        || k is "token_embedding.weight" or "positional_embedding" or "ln_final.weight" or "ln_final.bias" or "text_projection" or "logit_scale";

    private static int? MetadataInt(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static Tensor Require(Dictionary<string, Tensor> t, string key, string source) =>
        t.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: tensor '{key}' (under 'visual.' in OpenAI's layout) is missing.");

    private static string Shape(Tensor t) => string.Join(",", t.shape);

    [GeneratedRegex(@"^layer([1-4])\.(\d+)\.")]
    private static partial Regex BlockKey();
}
