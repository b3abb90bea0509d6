using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Models.Text;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's network: a CLIP image encoder (ModifiedResNet as in the paper, or a ViT), a BNNeck on its global feature (the
/// embedding at inference, and the feature every CCAFL loss reads) with a linear classifier over the intra-camera
/// identities (used only by the plain-CE baseline), and the identity classifier of ICAL: a cosine classifier over all
/// intra-camera identities, trained on detached features and read adversarially by the encoder. With prompts (stage 1)
/// it also holds CLIP's text encoder (always frozen) and one learnable prompt per intra-camera identity; the text side is
/// training-only: neither the embedding nor the ONNX export reads it.
/// </summary>
public sealed class CcaflNetwork : nn.Module<Tensor, Tensor>, IReIdNetwork
{
    private readonly nn.Module<Tensor, Tensor> visual;
    private readonly IClipImageEncoder _encoder;
    private readonly BNNeck neck;
    private readonly MarginClassifier identity_classifier;
    private readonly ClipTextTransformer? text;
    private readonly ClipPromptLearner? prompt;

    /// <param name="visual">A <see cref="ClipModifiedResNet"/> or <see cref="ClipVisionTransformer"/>.</param>
    /// <param name="identities">Number of intra-camera identities.</param>
    /// <param name="textSide">Builds the text encoder and the prompt learner (null: no prompts). Called after the image
    /// side is built, so that the image side's random initialisation is the same with and without prompts.</param>
    public CcaflNetwork(nn.Module<Tensor, Tensor> visual, int identities, double classifierScale = 16, long seed = 0,
        Func<(ClipTextTransformer Text, ClipPromptLearner Prompt)>? textSide = null) : base(nameof(CcaflNetwork))
    {
        if (visual is not IClipImageEncoder encoder)
            throw new ArgumentException($"{visual.GetType().Name} is not a CLIP image encoder (ViT or ModifiedResNet).", nameof(visual));
        this.visual = visual;
        _encoder = encoder;
        neck = new BNNeck(encoder.FeatureSize, identities, NeckFeature.AfterBn);
        identity_classifier = MarginClassifier.ArcFaceHead(encoder.FeatureSize, identities, classifierScale, margin: 0, seed: seed);
        if (textSide is not null)
        {
            (text, prompt) = textSide();
            if (text.EmbeddingSize != encoder.EmbeddingSize)
                throw new ArgumentException($"The image projection has {encoder.EmbeddingSize} dimensions but the text projection {text.EmbeddingSize}; they must match.", nameof(textSide));
            if (prompt.NumClasses != identities)
                throw new ArgumentException($"The prompt learner has {prompt.NumClasses} prompts for {identities} intra-camera identities.", nameof(textSide));
        }
        RegisterComponents();
        // The text encoder is never trained; the prompts only by the prompt-learning stage (which switches them on).
        if (text is not null) ClipReIdModel.SetTrainable(text, false);
        if (prompt is not null) ClipReIdModel.SetTrainable(prompt, false);
    }

    /// <summary>The text encoder (null without prompts).</summary>
    public ClipTextTransformer? Text => text;

    /// <summary>The per-identity prompt learner (null without prompts).</summary>
    public ClipPromptLearner? Prompt => prompt;

    /// <inheritdoc/>
    public int EmbeddingSize => _encoder.FeatureSize;

    /// <summary>The image encoder.</summary>
    public IClipImageEncoder Visual => _encoder;

    /// <summary>The ICAL identity classifier.</summary>
    public MarginClassifier IdentityClassifier => identity_classifier;

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var (feature, projected) = _encoder.EncodeForReId(images);
        projected.Dispose();
        return neck.forward(feature).MoveToOuterDisposeScope();
    }

    /// <summary>Training path: the global feature before and after the BNNeck and the baseline classifier's logits.</summary>
    public NeckOutput Encode(Tensor images)
    {
        var (feature, projected) = _encoder.EncodeForReId(images);
        projected.Dispose();
        return neck.Apply(feature);
    }

    /// <summary>Training path with the image projection (what the image-to-text terms compare with the text features).</summary>
    public NeckOutput Encode(Tensor images, out Tensor projected)
    {
        (var feature, projected) = _encoder.EncodeForReId(images);
        return neck.Apply(feature);
    }

    /// <summary>The image projection [B, D] (stage 1 caches it once per image with the image encoder frozen).</summary>
    public Tensor ImageProjection(Tensor images)
    {
        var (feature, projected) = _encoder.EncodeForReId(images);
        feature.Dispose();
        return projected;
    }

    /// <summary>Text features [B, D] of the prompts of intra-camera identities <paramref name="labels"/> [B].</summary>
    public Tensor TextFeatures(Tensor labels)
    {
        if (text is null || prompt is null) throw new InvalidOperationException("this CCAFL network has no prompts (ccafl.prompts=false)");
        using var scope = NewDisposeScope();
        var embeddings = prompt.forward(labels);
        var eot = prompt.EotIndex(labels);
        return text.EncodeEmbeddings(embeddings, eot).MoveToOuterDisposeScope();
    }

    /// <summary>The text feature of every intra-camera identity [N, D], without gradients (fixed once stage 1 is done).</summary>
    public Tensor AllTextFeatures(int batchSize = 64)
    {
        if (prompt is null) throw new InvalidOperationException("this CCAFL network has no prompts (ccafl.prompts=false)");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = prompt.parameters().First().device;
        var parts = new List<Tensor>();
        for (int start = 0; start < prompt.NumClasses; start += batchSize)
        {
            var labels = OwnedScalarMath.Arange(start, Math.Min(prompt.NumClasses, start + batchSize), device: device);
            parts.Add(TextFeatures(labels));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Not used: CCAFL's losses need the epoch's memories and association, which <see cref="CcaflObjective"/> holds.</summary>
    ReIdLossResult IReIdNetwork.Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct) =>
        throw new NotSupportedException("CCAFL's loss is computed by CcaflObjective, not by the network.");

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input) => neck.Export(ctx, _encoder.ExportForReId(ctx, input).Feature);
}
