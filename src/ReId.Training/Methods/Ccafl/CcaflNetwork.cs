using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's network: a CLIP image encoder (ModifiedResNet as in the paper, or a ViT), a BNNeck on its global feature (the
/// embedding at inference, and the feature every CCAFL loss reads) with a linear classifier over the intra-camera
/// identities (used only by the plain-CE baseline), and the identity classifier of ICAL: a cosine classifier over all
/// intra-camera identities, trained on detached features and read adversarially by the encoder.
/// </summary>
public sealed class CcaflNetwork : nn.Module<Tensor, Tensor>, IReIdNetwork
{
    private readonly nn.Module<Tensor, Tensor> visual;
    private readonly IClipImageEncoder _encoder;
    private readonly BNNeck neck;
    private readonly MarginClassifier identity_classifier;

    /// <param name="visual">A <see cref="ClipModifiedResNet"/> or <see cref="ClipVisionTransformer"/>.</param>
    /// <param name="identities">Number of intra-camera identities.</param>
    public CcaflNetwork(nn.Module<Tensor, Tensor> visual, int identities, double classifierScale = 16, long seed = 0) : base(nameof(CcaflNetwork))
    {
        if (visual is not IClipImageEncoder encoder)
            throw new ArgumentException($"{visual.GetType().Name} is not a CLIP image encoder (ViT or ModifiedResNet).", nameof(visual));
        this.visual = visual;
        _encoder = encoder;
        neck = new BNNeck(encoder.FeatureSize, identities, NeckFeature.AfterBn);
        identity_classifier = MarginClassifier.ArcFaceHead(encoder.FeatureSize, identities, classifierScale, margin: 0, seed: seed);
        RegisterComponents();
    }

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

    /// <summary>Not used: CCAFL's losses need the epoch's memories and association, which <see cref="CcaflObjective"/> holds.</summary>
    ReIdLossResult IReIdNetwork.Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct) =>
        throw new NotSupportedException("CCAFL's loss is computed by CcaflObjective, not by the network.");

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input) => neck.Export(ctx, _encoder.ExportForReId(ctx, input).Feature);
}
