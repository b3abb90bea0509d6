using ReId.Training.Utils;
using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// CSGN (Lu et al., CVIU 2025) as we build it from its abstract: a CLIP ModifiedResNet (<c>resnet</c>) and a CLIP ViT
/// (<c>vit</c>) side by side, VSS combining them (<c>vss</c>), a BNNeck with an identity classifier on each of the ResNet
/// feature, the ViT class token and the fused feature, and MDG's two prompt banks (<c>mdg</c>, frozen here; stage 1 learns
/// them). The inference embedding is the concatenation [ResNet, ViT, fused] of the three necks' features (before or after
/// BN as chosen). The training objective is CE-LS + triplet on each of the three features plus HSF: image-to-text
/// cross-entropy of the fused feature (or, without HSF, the ViT projection) against the RGB and grey text banks.
/// </summary>
public sealed class CsgnNetwork : nn.Module<Tensor, Tensor>, IReIdNetwork
{
    // The ResNet's attention pool (CLIP's RN50 projection) is loaded but unused: CSGN's text space is the ViT's.
    private readonly ClipModifiedResNet resnet;
    private readonly ClipVisionTransformer vit;
    private readonly VisualSemanticSteering? vss;
    private readonly BNNeck neck_resnet;
    private readonly BNNeck neck_vit;
    private readonly BNNeck? neck_fused;
    private readonly MultiDescriptionGenerator? mdg;
    private readonly HeterogeneousSemanticFusionLoss _hsf;
    private Tensor? _rgbText, _greyText;

    /// <param name="resnet">The CLIP ModifiedResNet.</param>
    /// <param name="vit">The CLIP ViT; its projection must match the text encoder's size.</param>
    /// <param name="mdg">The prompt banks, or null for a network trained without text (the ablation's baseline).</param>
    /// <param name="classes">Training identities.</param>
    /// <param name="fusion">VSS's rule, or <see cref="CsgnFusion.None"/>.</param>
    /// <param name="hsf">Apply the text losses to the fused feature (HSF) rather than the ViT projection; needs a fusion.</param>
    /// <param name="rgbTextWeight">Weight of the image-to-text term against the RGB bank.</param>
    /// <param name="greyTextWeight">Weight of the image-to-text term against the grey bank.</param>
    public CsgnNetwork(ClipModifiedResNet resnet, ClipVisionTransformer vit, MultiDescriptionGenerator? mdg, int classes,
        CsgnFusion fusion = CsgnFusion.Concat, bool hsf = true, NeckFeature feature = NeckFeature.BeforeBn,
        double rgbTextWeight = 1, double greyTextWeight = 1, double labelSmoothing = 0.1) : base(nameof(CsgnNetwork))
    {
        ArgumentNullException.ThrowIfNull(resnet);
        ArgumentNullException.ThrowIfNull(vit);
        if (vit.Options.CameraCount > 0)
            throw new ArgumentException("SIE camera embeddings are not supported by CSGN: the exported model takes images only.", nameof(vit));
        if (mdg is not null && mdg.EmbeddingSize != vit.EmbeddingSize)
            throw new ArgumentException($"The ViT projection has {vit.EmbeddingSize} dimensions but the text encoder {mdg.EmbeddingSize}; they must match.", nameof(mdg));
        if (hsf && fusion == CsgnFusion.None)
            throw new ArgumentException("HSF constrains the fused feature: it needs a fusion (concat or steer).", nameof(hsf));
        if (mdg is not null && !mdg.HasGreyBank && greyTextWeight != 0)
            throw new ArgumentException("greyTextWeight is non-zero but the prompt banks have no grey bank.", nameof(greyTextWeight));
        this.resnet = resnet;
        this.vit = vit;
        this.mdg = mdg;
        Fusion = fusion;
        UsesHsf = hsf;
        if (fusion != CsgnFusion.None) vss = new VisualSemanticSteering(resnet.FeatureSize, vit.FeatureSize, vit.EmbeddingSize, fusion);
        neck_resnet = new BNNeck(resnet.FeatureSize, classes, feature);
        neck_vit = new BNNeck(vit.FeatureSize, classes, feature);
        if (vss is not null) neck_fused = new BNNeck(vss.OutputSize, classes, feature);
        _hsf = mdg is null ? new HeterogeneousSemanticFusionLoss(0, 0, labelSmoothing) : new HeterogeneousSemanticFusionLoss(rgbTextWeight, greyTextWeight, labelSmoothing);
        RegisterComponents();
    }

    /// <summary>VSS's rule.</summary>
    public CsgnFusion Fusion { get; }

    /// <summary>Whether the text losses act on the fused feature (HSF) rather than on the ViT projection.</summary>
    public bool UsesHsf { get; }

    /// <summary>The ResNet encoder.</summary>
    public ClipModifiedResNet ResNet => resnet;

    /// <summary>The ViT encoder.</summary>
    public ClipVisionTransformer Vit => vit;

    /// <summary>The prompt banks, or null.</summary>
    public MultiDescriptionGenerator? Mdg => mdg;

    /// <summary>Whether stage 2's per-identity text features are fixed.</summary>
    public bool HasClassTextFeatures => _rgbText is not null;

    /// <inheritdoc/>
    public int EmbeddingSize => resnet.FeatureSize + vit.FeatureSize + (vss?.OutputSize ?? 0);

    /// <summary>Both encoders and VSS on a batch.</summary>
    public CsgnFeatures Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        var r = resnet.EncodePooled(images);
        var (v, p) = vit.EncodeForReId(images);
        var f = vss?.Fuse(r, v, p);
        var features = new CsgnFeatures(r.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope(), p.MoveToOuterDisposeScope(), f?.MoveToOuterDisposeScope());
        return features;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var f = Encode(images);
        var parts = new List<Tensor> { neck_resnet.forward(f.ResNet), neck_vit.forward(f.Vit) };
        if (f.Fused is not null) parts.Add(neck_fused!.forward(f.Fused));
        return torch.cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ViT projection of images: what stage 1 learns each bank's prompts against (RGB images or their grey copies).</summary>
    public Tensor ImageFeatures(Tensor images)
    {
        var (v, p) = vit.EncodeForReId(images);
        v.Dispose();
        return p;
    }

    /// <summary>Stage 2 set-up: computes (without gradients) and keeps every identity's text feature of each bank in use.</summary>
    public void FixClassTextFeatures()
    {
        if (mdg is null) return;
        _rgbText?.Dispose();
        _greyText?.Dispose();
        _rgbText = mdg.ClassTextFeatures(CsgnPromptBank.Rgb);
        _greyText = mdg.HasGreyBank ? mdg.ClassTextFeatures(CsgnPromptBank.Grey) : null;
    }

    /// <inheritdoc/>
    public ReIdLossResult Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct)
    {
        using var scope = NewDisposeScope();
        using var f = Encode(images);
        var terms = new Dictionary<string, double>();
        Tensor total = zeros([], dtype: images.dtype, device: images.device);
        Tensor? lastLogits = null;
        void Branch(BNNeck neck, Tensor feature)
        {
            var n = neck.Apply(feature);
            using var l = criterion.Compute(n.Logits, n.BeforeBn, labels);
            foreach (var (k, v) in l.Terms) terms[k] = terms.GetValueOrDefault(k) + v;
            total = total.Add(l.Total);
            lastLogits = n.Logits;
        }

        Branch(neck_resnet, f.ResNet);
        Branch(neck_vit, f.Vit);
        if (neck_fused is not null) Branch(neck_fused, f.Fused!);
        if (_rgbText is not null && (_hsf.RgbWeight != 0 || _hsf.GreyWeight != 0))
        {
            using var text = _hsf.Forward(UsesHsf ? f.Fused! : f.VitProjected, _rgbText, _greyText, labels);
            foreach (var (k, v) in text.Terms) terms[k] = v;
            total = total.Add(text.Total);
        }
        correct = lastLogits!.argmax(1).eq(labels).sum().item<long>();
        return new ReIdLossResult(total.MoveToOuterDisposeScope(), terms);
    }

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input)
    {
        var g = ctx.Graph;
        string r = resnet.ExportPooled(ctx, input);
        var (v, p) = vit.ExportForReId(ctx, input);
        var parts = new List<string> { neck_resnet.Export(ctx, r), neck_vit.Export(ctx, v) };
        if (vss is not null) parts.Add(neck_fused!.Export(ctx, vss.Export(ctx, r, v, p)));
        return g.Node("Concat", [.. parts], OnnxAttribute.Int("axis", 1));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rgbText?.Dispose();
            _greyText?.Dispose();
        }
        base.Dispose(disposing);
    }
}
