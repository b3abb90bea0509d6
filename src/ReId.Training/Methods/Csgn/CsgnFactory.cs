using System.Text.Json;
using ReId.Training.Methods.ClipReId;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Models.Text;
using ReId.Training.Recipes;
using ReId.Training.Weights;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// Builds the CSGN network a recipe describes: the ViT and text towers from one CLIP file (<c>pretrained-weights</c>,
/// ViT-B/16), the ModifiedResNet from another (<c>csgn.resnet-weights</c>, RN50), the prompt tokenised with CLIP's BPE;
/// or, for CPU-sized runs, all three from random weights with placeholder token ids; or a checkpoint's recorded shape.
/// </summary>
public static class CsgnFactory
{
    /// <summary>The network for <paramref name="classes"/> training identities.</summary>
    public static CsgnNetwork Create(TrainingOptions o, int classes, string? architecture = null)
    {
        var s = o.SectionAs<CsgnOptions>();
        var a = architecture is not null ? CsgnArchitecture.Parse(architecture) : null;
        ClipModifiedResNet? resnet = null;
        ClipVisionTransformer? vit = null;
        ClipTextTransformer? text = null;
        try
        {
            if (a is not null)
            {
                resnet = new ClipModifiedResNet(a.ResNet);
                vit = new ClipVisionTransformer(a.Vision);
                text = a.Text is { } t ? new ClipTextTransformer(t) : null;
            }
            else if (o.PretrainedWeights is not null || s.ResNetWeights is not null)
                (resnet, vit, text) = Pretrained(o, s);
            else
                (resnet, vit, text) = Random(o, s);
            MultiDescriptionGenerator? mdg = null;
            if (s.Prompts)
            {
                if (text is null) throw new InvalidDataException("the recorded CSGN architecture has no text encoder but csgn.prompts is true");
                var (ids, prefix) = a is not null ? (a.PromptIds, a.PromptPrefixLength) : ClipReIdFactory.PromptIds(o, text.Options, pretrained: o.PretrainedWeights is not null);
                mdg = new MultiDescriptionGenerator(text, ids, prefix, classes, o.PromptTokens, s.GreyBank);
            }
            else text?.Dispose();
            return new CsgnNetwork(resnet, vit, mdg, classes, s.Fusion, s.Hsf, NeckFeatureNames.Parse(o.InferenceFeature),
                s.RgbTextWeight, s.GreyBank ? s.GreyTextWeight : 0, o.LabelSmoothing);
        }
        catch
        {
            resnet?.Dispose();
            vit?.Dispose();
            text?.Dispose();
            throw;
        }
    }

    /// <summary>What must be recorded to rebuild <paramref name="network"/> without its pretrained files.</summary>
    public static string Describe(CsgnNetwork network) => JsonSerializer.Serialize(new CsgnArchitecture
    {
        ResNet = network.ResNet.Options,
        Vision = network.Vit.Options,
        Text = network.Mdg?.Text.Options,
        PromptIds = network.Mdg is { } m ? [.. m.Learner(CsgnPromptBank.Rgb).TemplateIds] : [],
        PromptPrefixLength = network.Mdg?.Learner(CsgnPromptBank.Rgb).PrefixLength ?? 0,
    });

    private static (ClipModifiedResNet, ClipVisionTransformer, ClipTextTransformer?) Random(TrainingOptions o, CsgnOptions s)
    {
        var resnet = new ClipModifiedResNet(new ClipResNetOptions
        {
            Layers = o.ResNetLayers, Width = o.ResNetWidth, InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim,
            LastStride = o.LastStrideOne ? 1 : 2,
        });
        var vit = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = o.VitWidth, Layers = o.VitLayers, PatchSize = o.VitPatch, PatchStride = o.VitStride,
            InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim,
        });
        var text = s.Prompts ? new ClipTextTransformer(new ClipTextOptions
        {
            Width = o.TextWidth, Layers = o.TextLayers, ContextLength = o.TextContextLength, VocabSize = o.TextVocabSize, OutputDim = o.EmbeddingDim,
        }) : null;
        return (resnet, vit, text);
    }

    private static (ClipModifiedResNet, ClipVisionTransformer, ClipTextTransformer?) Pretrained(TrainingOptions o, CsgnOptions s)
    {
        string vitPath = o.PretrainedWeights ?? throw new ArgumentException("pretrained-weights is required with csgn.resnet-weights: a CLIP ViT-B/16 safetensors file (image and text towers)");
        string rnPath = s.ResNetWeights ?? throw new ArgumentException("csgn.resnet-weights is required with pretrained-weights: a CLIP RN50 safetensors file for the ResNet encoder");
        foreach (var (key, path) in new[] { ("pretrained-weights", vitPath), ("csgn.resnet-weights", rnPath) })
            if (!File.Exists(path)) throw new FileNotFoundException($"{key} file '{path}' does not exist", path);
        var (vit, vitReport) = ClipVisionWeights.Load(vitPath, v =>
        {
            v.InputHeight = o.InputHeight; v.InputWidth = o.InputWidth; v.PatchStride = o.VitStride;
        });
        ClipModifiedResNet? resnet = null;
        ClipTextTransformer? text = null;
        try
        {
            if (vitReport.MissingKeys.Count > 0)
                throw new InvalidDataException($"pretrained-weights '{vitPath}' lacks ViT tensors: {string.Join(", ", vitReport.MissingKeys.Take(5))}");
            LoadReport rnReport;
            (resnet, rnReport) = ClipResNetWeights.Load(rnPath, r =>
            {
                r.InputHeight = o.InputHeight; r.InputWidth = o.InputWidth; r.LastStride = o.LastStrideOne ? 1 : 2;
            });
            if (rnReport.MissingKeys.Count > 0)
                throw new InvalidDataException($"csgn.resnet-weights '{rnPath}' lacks ModifiedResNet tensors: {string.Join(", ", rnReport.MissingKeys.Take(5))}");
            if (s.Prompts)
            {
                LoadReport textReport;
                (text, textReport) = ClipTextWeights.Load(vitPath);
                if (textReport.MissingKeys.Count > 0)
                    throw new InvalidDataException($"pretrained-weights '{vitPath}' lacks text-encoder tensors (CSGN's prompt banks need the text tower): {string.Join(", ", textReport.MissingKeys.Take(5))}");
            }
            return (resnet, vit, text);
        }
        catch
        {
            vit.Dispose();
            resnet?.Dispose();
            text?.Dispose();
            throw;
        }
    }
}
