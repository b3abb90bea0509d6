using System.Text.Json;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Models.Text;
using ReId.Training.Recipes;
using ReId.Training.Text;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.ClipReId;

/// <summary>
/// Builds the CLIP-ReID network a recipe describes: from pretrained CLIP weights (both towers read from one
/// safetensors file, the BPE vocabulary tokenising the prompt) or, for CPU-sized runs, from random weights with
/// placeholder token ids (a random text encoder has no vocabulary to honour).
/// </summary>
public static class ClipReIdFactory
{
    /// <summary>The network for <paramref name="classes"/> training identities.</summary>
    /// <param name="architecture">A recorded <see cref="ClipReIdArchitecture"/> (JSON): build exactly that network with random weights, reading no file.</param>
    /// <param name="cameras">Training cameras: the number of SIE camera embeddings when <c>camera-embedding</c> is on.</param>
    public static ClipReIdModel Create(TrainingOptions o, int classes, string? architecture = null, int cameras = 0)
    {
        var feature = NeckFeatureNames.Parse(o.InferenceFeature);
        if (architecture is not null) return FromArchitecture(o, classes, feature, ClipReIdArchitecture.Parse(architecture));
        int sie = o.CameraEmbedding ? cameras : 0;
        if (o.CameraEmbedding && sie < 1) throw new ArgumentException("camera-embedding: the training data names no cameras");
        var (visual, text) = o.PretrainedWeights is { } path ? Pretrained(o, path, sie) : Random(o, sie);
        try
        {
            var (ids, prefix) = PromptIds(o, text.Options, pretrained: o.PretrainedWeights is not null);
            var prompt = new ClipPromptLearner(text, ids, prefix, classes, o.PromptTokens);
            return new ClipReIdModel(visual, text, prompt, classes, feature, o.ImageToTextWeight, o.LabelSmoothing);
        }
        catch
        {
            visual.Dispose();
            text.Dispose();
            throw;
        }
    }

    /// <summary>What must be recorded to rebuild <paramref name="model"/> without its pretrained files.</summary>
    public static string Describe(ClipReIdModel model) => JsonSerializer.Serialize(new ClipReIdArchitecture
    {
        Vision = (model.Visual as ClipVisionTransformer)?.Options,
        ResNet = (model.Visual as ClipModifiedResNet)?.Options,
        Text = model.Text.Options,
        PromptIds = [.. model.Prompt.TemplateIds],
        PromptPrefixLength = model.Prompt.PrefixLength,
    });

    private static ClipReIdModel FromArchitecture(TrainingOptions o, int classes, NeckFeature feature, ClipReIdArchitecture a)
    {
        nn.Module<Tensor, Tensor> visual = a.ResNet is { } r ? new ClipModifiedResNet(r)
            : a.Vision is { } v ? new ClipVisionTransformer(v)
            : throw new InvalidDataException("the recorded CLIP-ReID architecture names no image encoder");
        var text = new ClipTextTransformer(a.Text);
        var prompt = new ClipPromptLearner(text, a.PromptIds, a.PromptPrefixLength, classes, o.PromptTokens);
        return new ClipReIdModel(visual, text, prompt, classes, feature, o.ImageToTextWeight, o.LabelSmoothing);
    }

    private static bool IsResNet(TrainingOptions o) => o.Backbone.ToLowerInvariant() switch
    {
        "clip-vit" => false,
        "clip-rn50" => true,
        var other => throw new ArgumentException($"backbone '{other}': CLIP-ReID takes clip-vit or clip-rn50"),
    };

    private static (nn.Module<Tensor, Tensor>, ClipTextTransformer) Random(TrainingOptions o, int cameras)
    {
        nn.Module<Tensor, Tensor> visual = IsResNet(o)
            ? new ClipModifiedResNet(new ClipResNetOptions
            {
                Layers = o.ResNetLayers, Width = o.ResNetWidth, InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim, LastStride = o.LastStrideOne ? 1 : 2,
            })
            : new ClipVisionTransformer(new ClipVisionOptions
            {
                Width = o.VitWidth, Layers = o.VitLayers, PatchSize = o.VitPatch, PatchStride = o.VitStride,
                InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim, CameraCount = cameras,
            });
        var text = new ClipTextTransformer(new ClipTextOptions
        {
            Width = o.TextWidth, Layers = o.TextLayers, ContextLength = o.TextContextLength, VocabSize = o.TextVocabSize, OutputDim = o.EmbeddingDim,
        });
        return (visual, text);
    }

    private static (nn.Module<Tensor, Tensor>, ClipTextTransformer) Pretrained(TrainingOptions o, string path, int cameras)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pretrained-weights file '{path}' does not exist", path);
        var (visual, visualReport) = IsResNet(o)
            ? ((nn.Module<Tensor, Tensor>, LoadReport))ClipResNetWeights.Load(path, r =>
            {
                r.InputHeight = o.InputHeight; r.InputWidth = o.InputWidth; r.LastStride = o.LastStrideOne ? 1 : 2;
            })
            : ClipVisionWeights.Load(path, v =>
            {
                v.InputHeight = o.InputHeight; v.InputWidth = o.InputWidth; v.PatchStride = o.VitStride; v.CameraCount = cameras;
            });
        if (visualReport.MissingKeys.Count > 0)
        {
            visual.Dispose();
            throw new InvalidDataException($"pretrained-weights '{path}' lacks image-encoder tensors: {string.Join(", ", visualReport.MissingKeys.Take(5))}");
        }
        var (text, textReport) = ClipTextWeights.Load(path);
        if (textReport.MissingKeys.Count > 0)
        {
            visual.Dispose();
            text.Dispose();
            throw new InvalidDataException($"pretrained-weights '{path}' lacks text-encoder tensors (CLIP-ReID needs both towers): {string.Join(", ", textReport.MissingKeys.Take(5))}");
        }
        return (visual, text);
    }

    /// <summary>
    /// Token ids of the prompt template and the position of its first placeholder <c>X</c>: real BPE ids from
    /// <see cref="TrainingOptions.ClipVocabularyFile"/>, or, for a randomly initialised text encoder, one placeholder id
    /// per word and punctuation mark between start and end tokens.
    /// </summary>
    public static (long[] Ids, int PrefixLength) PromptIds(TrainingOptions o, ClipTextOptions text, bool pretrained)
    {
        long[] ids;
        long placeholder;
        if (o.ClipVocabularyFile is { } vocabulary)
        {
            string? merges = vocabulary.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vocabulary))!, "merges.txt") : null;
            var tokenizer = ClipTokenizer.FromFiles(vocabulary, merges);
            ids = tokenizer.Tokenize(o.PromptTemplate, text.ContextLength, truncate: false);
            placeholder = tokenizer.Encode(ClipPromptLearner.Placeholder)[0];
        }
        else if (pretrained)
            throw new ArgumentException("clip-vocabulary-file is required with pretrained CLIP weights: the prompt must be tokenised with CLIP's BPE (bpe_simple_vocab_16e6.txt.gz or vocab.json + merges.txt)");
        else
            (ids, placeholder) = PlaceholderIds(o.PromptTemplate, text.ContextLength, text.VocabSize);
        int prefix = Array.IndexOf(ids, placeholder);
        int run = 0;
        while (prefix >= 0 && prefix + run < ids.Length && ids[prefix + run] == placeholder) run++;
        if (prefix < 0 || run != o.PromptTokens)
            throw new ArgumentException($"prompt-template '{o.PromptTemplate}' must hold exactly prompt-tokens = {o.PromptTokens} consecutive '{ClipPromptLearner.Placeholder}' placeholders (found {run})");
        return (ids, prefix);
    }

    private static (long[] Ids, long Placeholder) PlaceholderIds(string template, int contextLength, int vocabSize)
    {
        var words = System.Text.RegularExpressions.Regex.Matches(template.ToLowerInvariant(), @"[\p{L}\p{N}]+|[^\s\p{L}\p{N}]").Select(m => m.Value).ToList();
        if (words.Count + 2 > contextLength)
            throw new ArgumentException($"prompt-template '{template}' has {words.Count} tokens; with start and end tokens that exceeds the context length {contextLength}");
        if (vocabSize < words.Count + 3)
            throw new ArgumentException($"text-vocab-size {vocabSize} is too small for the prompt template");
        // Distinct words get distinct ids from 1; the end token is the largest id (CLIP finds it with argmax).
        var dictionary = new Dictionary<string, long>();
        var ids = new long[contextLength];
        ids[0] = vocabSize - 2;
        for (int i = 0; i < words.Count; i++)
            ids[i + 1] = dictionary.TryGetValue(words[i], out long id) ? id : dictionary[words[i]] = dictionary.Count + 1;
        ids[words.Count + 1] = vocabSize - 1;
        return (ids, dictionary.GetValueOrDefault(ClipPromptLearner.Placeholder.ToLowerInvariant(), -1));
    }
}
