using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Models.Text;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Models;

/// <summary>
/// CLIP-ReID (Li et al., AAAI 2023) on a CLIP image encoder (ViT or ModifiedResNet): BNNecks on the global feature
/// (ViT: final class token; RN50: average-pooled layer4) and on its projection (each with a bias-free identity classifier), the CLIP text encoder and per-identity learnable prompt
/// tokens. Stage 1 learns the prompts against frozen image features; stage 2 fixes the text features of every
/// identity and trains the image side with ID + triplet losses on both features plus an image-to-text
/// cross-entropy. The inference embedding is the concatenation of both features (before or after their BN).
/// </summary>
public sealed class ClipReIdModel : nn.Module<Tensor, Tensor>, IReIdNetwork, IPromptLearningTarget, ISideInformationModule
{
    private readonly nn.Module<Tensor, Tensor> visual;
    private readonly BNNeck neck;
    private readonly BNNeck neck_proj;
    private readonly ClipTextTransformer text;
    private readonly ClipPromptLearner prompt;
    private readonly CrossEntropyLabelSmooth _imageToText;
    private Tensor? _classText;

    /// <summary>Composes the parts; the text encoder is frozen from the start (CLIP-ReID never trains it).</summary>
    /// <param name="visual">A <see cref="ClipVisionTransformer"/> or <see cref="ClipModifiedResNet"/>.</param>
    public ClipReIdModel(nn.Module<Tensor, Tensor> visual, ClipTextTransformer text, ClipPromptLearner prompt, int classes,
        NeckFeature feature = NeckFeature.BeforeBn, float imageToTextWeight = 1f, double labelSmoothing = 0.1) : base(nameof(ClipReIdModel))
    {
        if (visual is not IClipImageEncoder encoder)
            throw new ArgumentException($"{visual.GetType().Name} is not a CLIP image encoder (ViT or ModifiedResNet).", nameof(visual));
        if (encoder.EmbeddingSize != text.EmbeddingSize)
            throw new ArgumentException($"The image projection has {encoder.EmbeddingSize} dimensions but the text projection {text.EmbeddingSize}; they must match.", nameof(text));
        this.visual = visual;
        this.text = text;
        this.prompt = prompt;
        neck = new BNNeck(encoder.FeatureSize, classes, feature);
        neck_proj = new BNNeck(encoder.EmbeddingSize, classes, feature);
        ImageToTextWeight = imageToTextWeight;
        _imageToText = new CrossEntropyLabelSmooth(labelSmoothing);
        RegisterComponents();
        SetTrainable(text, false);
        SetTrainable(prompt, false);
    }

    /// <summary>Weight of the stage-2 image-to-text cross-entropy.</summary>
    public float ImageToTextWeight { get; }

    // A property, not a field: TorchSharp registers every Module-valued field, and a second field holding the encoder
    // registered it twice ("visual" and "_encoder"), doubling its tensors in checkpoints and its parameters in the optimiser.
    private IClipImageEncoder _encoder => (IClipImageEncoder)visual;

    /// <inheritdoc/>
    public int EmbeddingSize => _encoder.FeatureSize + _encoder.EmbeddingSize;

    /// <summary>The image encoder.</summary>
    public IClipImageEncoder Visual => _encoder;

    /// <summary>The text encoder.</summary>
    public ClipTextTransformer Text => text;

    /// <summary>The prompt learner (stage 1 trains its tokens).</summary>
    public ClipPromptLearner Prompt => prompt;

    /// <inheritdoc/>
    nn.Module IPromptLearningTarget.Prompts => prompt;

    /// <summary>Whether stage 2's per-identity text features are set.</summary>
    public bool HasClassTextFeatures => _classText is not null;

    /// <inheritdoc/>
    public override Tensor forward(Tensor images) => forward(images, null, null);

    /// <summary>The inference embedding; <paramref name="cameras"/> (positions [B]) are needed when the ViT has SIE camera embeddings.</summary>
    public Tensor forward(Tensor images, Tensor? cameras, Tensor? views)
    {
        using var scope = NewDisposeScope();
        var (feature, projected) = Encode(images, cameras);
        return torch.cat([neck.forward(feature), neck_proj.forward(projected)], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Projected image features (what stage 1 caches, once, with the image encoder frozen).</summary>
    /// <remarks>With SIE the features are taken without the camera term: the camera embeddings are still untrained in stage 1.</remarks>
    public Tensor ImageFeatures(Tensor images)
    {
        var (feature, projected) = Encode(images, null, withoutCameraTerm: true);
        feature.Dispose();
        return projected;
    }

    /// <summary>Text features of the learnt prompts of <paramref name="labels"/> [B] → [B, D].</summary>
    public Tensor TextFeatures(Tensor labels)
    {
        using var scope = NewDisposeScope();
        var embeddings = prompt.forward(labels);
        var eot = prompt.EotIndex(labels);
        return text.EncodeEmbeddings(embeddings, eot).MoveToOuterDisposeScope();
    }

    /// <summary>Stage 2 set-up: computes (without gradients) and keeps the text feature of every identity.</summary>
    public void FixClassTextFeatures(int classes, int batchSize = 64)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (int start = 0; start < classes; start += batchSize)
        {
            using var labels = OwnedScalarMath.Arange(start, Math.Min(classes, start + batchSize));
            parts.Add(TextFeatures(labels));
        }
        _classText?.Dispose();
        _classText = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
    }

    /// <inheritdoc/>
    public ReIdLossResult Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct) => Loss(images, labels, null, criterion, out correct);

    /// <summary>The training objective with each image's camera position [B] (used when the ViT has SIE camera embeddings).</summary>
    public ReIdLossResult Loss(Tensor images, Tensor labels, Tensor? cameras, ReIdLoss criterion, out long correct)
    {
        using var scope = NewDisposeScope();
        var (feature, projected) = Encode(images, cameras);
        using var a = neck.Apply(feature);
        using var b = neck_proj.Apply(projected);
        using var la = criterion.Compute(a.Logits, a.BeforeBn, labels);
        using var lb = criterion.Compute(b.Logits, b.BeforeBn, labels);
        var terms = new Dictionary<string, double>();
        foreach (var (k, v) in la.Terms.Concat(lb.Terms)) terms[k] = terms.GetValueOrDefault(k) + v;
        var total = la.Total.Add(lb.Total);
        if (_classText is not null && ImageToTextWeight != 0)
        {
            var i2t = _imageToText.Forward(projected.matmul(_classText.t()), labels);
            terms["i2t"] = i2t.item<float>();
            total = total.Add(i2t.Mul(ImageToTextWeight));
        }
        correct = b.Logits!.argmax(1).eq(labels).sum().item<long>();
        return new ReIdLossResult(total.MoveToOuterDisposeScope(), terms);
    }

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input)
    {
        var (feature, projected) = _encoder.ExportForReId(ctx, input);
        return ctx.Graph.Node("Concat", [neck.Export(ctx, feature), neck_proj.Export(ctx, projected)], OnnxAttribute.Int("axis", 1));
    }

    /// <summary>Whether the image encoder adds SIE camera embeddings (then every image needs its camera position).</summary>
    public bool UsesCameras => visual is ClipVisionTransformer { Options.CameraCount: > 0 };

    private (Tensor Feature, Tensor Projected) Encode(Tensor images, Tensor? cameras, bool withoutCameraTerm = false)
    {
        if (visual is not ClipVisionTransformer { Options.CameraCount: > 0 } vit) return _encoder.EncodeForReId(images);
        var o = vit.Encode(images, cameras, withoutCameraTerm);
        o.PatchTokens.Dispose();
        return (o.ClassToken, o.Projected);
    }

    /// <summary>Turns gradients of a part on or off.</summary>
    internal static void SetTrainable(nn.Module part, bool trainable)
    {
        foreach (var p in part.parameters()) p.requires_grad = trainable;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _classText?.Dispose();
        base.Dispose(disposing);
    }
}
