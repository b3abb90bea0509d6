using ReId.Training.Utils;
using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>
/// CLIP-SENet (Lu et al. 2025): an IBN ResNet appearance branch (GeM-pooled, plus a learnt camera embedding when the
/// model has cameras) and a semantic branch — a CLIP image encoder (SEM, frozen by default) whose projected embedding
/// goes through AFEM — fused by concatenation into one BNNeck. The inference embedding is the neck's feature of the
/// concatenation <c>[appearance ; semantic]</c> (after its BN by default).
/// </summary>
/// <remarks>
/// Fusion is concatenation + BN rather than a learnt projection because BN acts on every dimension separately: the
/// fused embedding is exactly <c>[BN_a(appearance) ; BN_s(AFEM(SEM(x)))]</c>, so the deployed model splits into an
/// appearance model and the CLIP encoder → AFEM chain (<see cref="ExportAppearance"/>, <see cref="ExportSemanticEncoder"/>,
/// <see cref="ExportEnhancement"/>) whose concatenation is the whole model's embedding, with no mixing step to re-create.
/// The camera embedding is added to the appearance feature only (SIE's idea on a CNN: after pooling, a per-camera
/// vector), so the semantic half stays a pure function of the image, as SEM's "general semantics" are meant to be.
/// Where the camera is unknown (<c>forward</c>, an ONNX graph exported without a camera input, or position −1 — what a
/// deployment feeds for a camera the model was not trained on) the mean camera embedding stands in: the same vector for
/// every such image, so their distances are those of a camera-agnostic appearance feature.
/// SEM sees the image renormalised from the appearance branch's statistics to CLIP's, which its weights were trained
/// with; that is an affine map per channel, written into the graph.
/// </remarks>
public sealed class ClipSeNetModel : nn.Module<Tensor, Tensor>, IReIdNetwork, ISideInformationModule
{
    private readonly ResNet backbone;
    private readonly GeMPooling pool;
    private readonly Parameter? camera_embedding;
    private readonly nn.Module<Tensor, Tensor>? semantic;
    private readonly IClipImageEncoder? _semantic;
    private readonly AdaptiveFineGrainedEnhancement? afem;
    private readonly BNNeck neck;
    private readonly float[] _renormScale, _renormShift;

    /// <summary>Composes the network.</summary>
    /// <param name="backbone">Appearance branch (an IBN ResNet in the paper).</param>
    /// <param name="semantic">SEM: a CLIP image encoder (<see cref="ClipVisionTransformer"/> or <see cref="ClipModifiedResNet"/>), or null for appearance only.</param>
    /// <param name="classes">Training identities (0: no classifier).</param>
    /// <param name="afem">AFEM on the semantic vector, or null to fuse SEM's embedding as it is.</param>
    /// <param name="cameras">Number of training cameras for the camera embedding (0: none).</param>
    /// <param name="freezeSemantic">Keep SEM's weights fixed (and its norms in inference mode), as the paper does.</param>
    /// <param name="imageMean">Per-channel mean the images arrive normalised with (RGB, 0..1 scale).</param>
    /// <param name="imageStd">Per-channel standard deviation the images arrive normalised with.</param>
    /// <param name="clipMean">Mean SEM expects (CLIP's by default).</param>
    /// <param name="clipStd">Standard deviation SEM expects.</param>
    public ClipSeNetModel(ResNet backbone, nn.Module<Tensor, Tensor>? semantic, int classes, AdaptiveFineGrainedEnhancement? afem = null,
        int cameras = 0, bool freezeSemantic = true, float gemP = 3f, bool learnP = true, NeckFeature feature = NeckFeature.AfterBn,
        float[]? imageMean = null, float[]? imageStd = null, float[]? clipMean = null, float[]? clipStd = null) : base(nameof(ClipSeNetModel))
    {
        if (semantic is not null and not IClipImageEncoder)
            throw new ArgumentException($"{semantic.GetType().Name} is not a CLIP image encoder (ViT or ModifiedResNet).", nameof(semantic));
        if (semantic is null && afem is not null)
            throw new ArgumentException("AFEM enhances SEM's embedding; there is no SEM.", nameof(afem));
        if (afem is not null && afem.Features != ((IClipImageEncoder)semantic!).EmbeddingSize)
            throw new ArgumentException($"AFEM takes {afem.Features}-dimensional vectors but SEM embeds into {((IClipImageEncoder)semantic).EmbeddingSize}.", nameof(afem));
        ArgumentOutOfRangeException.ThrowIfNegative(cameras);
        this.backbone = backbone;
        pool = new GeMPooling(gemP, learnP: learnP);
        this.semantic = semantic;
        _semantic = semantic as IClipImageEncoder;
        this.afem = afem;
        AppearanceSize = backbone.OutputChannels;
        SemanticSize = _semantic?.EmbeddingSize ?? 0;
        if (cameras > 0)
        {
            camera_embedding = new Parameter(zeros(cameras, AppearanceSize));
            using (no_grad()) nn.init.trunc_normal_(camera_embedding, std: 0.02);
        }
        Cameras = cameras;
        neck = new BNNeck(AppearanceSize + SemanticSize, classes, feature);
        FreezeSemantic = freezeSemantic;
        float[] im = imageMean ?? [0.485f, 0.456f, 0.406f], istd = imageStd ?? [0.229f, 0.224f, 0.225f];
        float[] cm = clipMean ?? ModelPackageExporter.ClipMean, cstd = clipStd ?? ModelPackageExporter.ClipStd;
        // x_clip = (x · std_i + mean_i − mean_c) / std_c, per channel.
        _renormScale = [.. Enumerable.Range(0, 3).Select(c => istd[c] / cstd[c])];
        _renormShift = [.. Enumerable.Range(0, 3).Select(c => (im[c] - cm[c]) / cstd[c])];
        RegisterComponents();
        if (semantic is not null && freezeSemantic)
            foreach (var p in semantic.parameters()) p.requires_grad = false;
    }

    /// <summary>Size of the appearance feature (ResNet channels).</summary>
    public int AppearanceSize { get; }

    /// <summary>Size of the semantic feature (SEM's projection; 0 without SEM).</summary>
    public int SemanticSize { get; }

    /// <summary>Length of the inference embedding: appearance + semantic.</summary>
    public int EmbeddingSize => AppearanceSize + SemanticSize;

    /// <summary>Number of cameras with a learnt embedding (0: none; then the model takes images only).</summary>
    public int Cameras { get; }

    /// <summary>Whether SEM is frozen.</summary>
    public bool FreezeSemantic { get; }

    /// <summary>SEM, or null.</summary>
    public IClipImageEncoder? Semantic => _semantic;

    /// <summary>AFEM, or null.</summary>
    internal AdaptiveFineGrainedEnhancement? Afem => afem;

    /// <summary>The fusion neck.</summary>
    public BNNeck Neck => neck;

    /// <summary>Inference embedding of images whose camera is unknown (a model with camera embeddings uses their mean).</summary>
    public override Tensor forward(Tensor images) => Embed(images, null);

    /// <summary>Inference embedding with each image's camera position (views are not modelled: CLIP-SENet's view embedding is not built).</summary>
    public Tensor forward(Tensor images, Tensor? cameras, Tensor? views)
    {
        if (views is not null) throw new ArgumentException("This CLIP-SENet model has no view embeddings; embed it without views.", nameof(views));
        return Embed(images, cameras);
    }

    /// <summary>Inference embedding [B, <see cref="EmbeddingSize"/>]; <paramref name="cameras"/> [B] camera positions (−1: unknown), or null when unknown.</summary>
    public Tensor Embed(Tensor images, Tensor? cameras)
    {
        using var scope = NewDisposeScope();
        return neck.forward(Fused(images, cameras)).MoveToOuterDisposeScope();
    }

    /// <summary>Training outputs of the fusion neck: fused feature before BN (SupCon), after BN, and identity logits.</summary>
    public NeckOutput Apply(Tensor images, Tensor? cameras)
    {
        using var scope = NewDisposeScope();
        var output = neck.Apply(Fused(images, cameras));
        output.BeforeBn.MoveToOuterDisposeScope();
        output.AfterBn.MoveToOuterDisposeScope();
        output.Logits?.MoveToOuterDisposeScope();
        return output;
    }

    /// <summary>The appearance feature (pooled, plus the camera embedding; their mean without cameras) [B, <see cref="AppearanceSize"/>].</summary>
    public Tensor Appearance(Tensor images, Tensor? cameras)
    {
        using var scope = NewDisposeScope();
        var a = pool.forward(backbone.forward(images));
        if (camera_embedding is not null)
        {
            a = cameras is null
                ? a.Add(camera_embedding.mean([0], keepdim: true))
                : a.Add(CameraTable().index_select(0, KnownOrMean(cameras.to(camera_embedding.device).to(ScalarType.Int64))));
        }
        return a.MoveToOuterDisposeScope();
    }

    /// <summary>The camera embeddings with their mean appended as row <see cref="Cameras"/> (the unknown camera's).</summary>
    private Tensor CameraTable() => cat([camera_embedding!, camera_embedding!.mean([0], keepdim: true)], 0);

    /// <summary>Positions with −1 (unknown camera) mapped to the mean row.</summary>
    private Tensor KnownOrMean(Tensor positions)
    {
        using var known = positions.Ge(0);
        using var mean = OwnedScalarMath.Full(positions.shape, Cameras, ScalarType.Int64, positions.device);
        return where(known, positions, mean);
    }

    /// <summary>SEM's projected embedding of images normalised as the appearance branch expects [B, <see cref="SemanticSize"/>].</summary>
    public Tensor SemanticEmbedding(Tensor images)
    {
        if (_semantic is null) throw new InvalidOperationException("This CLIP-SENet model has no SEM.");
        using var scope = NewDisposeScope();
        var scale = tensor(_renormScale, device: images.device).view(1, 3, 1, 1);
        var shift = tensor(_renormShift, device: images.device).view(1, 3, 1, 1);
        var x = (images * scale).Add(shift);
        Tensor projected;
        if (FreezeSemantic)
        {
            // A frozen SEM is a fixed function: inference-mode norms and no graph to keep.
            if (semantic!.training) semantic.eval();
            using var noGrad = no_grad();
            var (feature, p) = _semantic.EncodeForReId(x);
            feature.Dispose();
            projected = p;
        }
        else
        {
            var (feature, p) = _semantic.EncodeForReId(x);
            feature.Dispose();
            projected = p;
        }
        return projected.MoveToOuterDisposeScope();
    }

    /// <summary>A generic ReID objective (CE, triplet, … on the fused neck) for images of unknown camera; CLIP-SENet's own is <see cref="ClipSeNetLoss"/>.</summary>
    public ReIdLossResult Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct)
    {
        using var output = Apply(images, null);
        var loss = criterion.Compute(output.Logits, output.BeforeBn, labels);
        using var predicted = output.Logits!.argmax(1);
        using var hits = predicted.eq(labels).sum();
        correct = hits.item<long>();
        return loss;
    }

    private Tensor Fused(Tensor images, Tensor? cameras)
    {
        var a = Appearance(images, cameras);
        if (_semantic is null) return a;
        var s = SemanticEmbedding(images);
        if (afem is not null) s = afem.forward(s);
        return cat([a, s], 1);
    }

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input)
    {
        var g = ctx.Graph;
        string a = AppearanceGraph(ctx, input);
        if (_semantic is null) return NeckSlice(ctx, a, 0, AppearanceSize);
        string x = g.Node("Add", [g.Node("Mul", [input, g.Constant(_renormScale, 1, 3, 1, 1)]), g.Constant(_renormShift, 1, 3, 1, 1)]);
        string s = _semantic.ExportForReId(ctx, x).Projected;
        if (afem is not null) s = afem.Export(ctx, s);
        return g.Node("Concat", [NeckSlice(ctx, a, 0, AppearanceSize), NeckSlice(ctx, s, AppearanceSize, SemanticSize)], OnnxAttribute.Int("axis", 1));
    }

    /// <summary>The appearance half of the embedding (images normalised as in training → [B, <see cref="AppearanceSize"/>]).</summary>
    public string ExportAppearance(OnnxExportContext ctx, string input) => NeckSlice(ctx, AppearanceGraph(ctx, input), 0, AppearanceSize);

    /// <summary>SEM alone: images normalised with CLIP's statistics → SEM's projected embedding (what <c>ClipImageFeatures</c> runs).</summary>
    public string ExportSemanticEncoder(OnnxExportContext ctx, string input) =>
        _semantic is null ? throw new InvalidOperationException("This CLIP-SENet model has no SEM.") : _semantic.ExportForReId(ctx, input).Projected;

    /// <summary>SEM embedding → the semantic half of the embedding: AFEM then the neck's BN on those dimensions (what <c>SemanticEnhance</c> runs).</summary>
    public string ExportEnhancement(OnnxExportContext ctx, string input)
    {
        if (_semantic is null) throw new InvalidOperationException("This CLIP-SENet model has no SEM.");
        return NeckSlice(ctx, afem is null ? input : afem.Export(ctx, input), AppearanceSize, SemanticSize);
    }

    private string AppearanceGraph(OnnxExportContext ctx, string input)
    {
        var g = ctx.Graph;
        string a = pool.Export(ctx, backbone.Export(ctx, input));
        if (camera_embedding is null) return a;
        if (ctx.CameraInput is null)
        {
            using var mean = camera_embedding.detach().mean([0], keepdim: true);
            return g.Node("Add", [a, ctx.Weight("camera_embedding.mean", mean)]);
        }
        // The mean is the table's last row, so position −1 (ONNX Gather counts negative indices from the end) picks it, as Embed does.
        using var table = CameraTable();
        return g.Node("Add", [a, g.Node("Gather", [ctx.Weight("camera_embedding", table), ctx.CameraInput], OnnxAttribute.Int("axis", 0))]);
    }

    /// <summary>The neck's inference transform restricted to dimensions [offset, offset + size) (BN is per dimension).</summary>
    private string NeckSlice(OnnxExportContext ctx, string x, int offset, int size)
    {
        if (neck.Feature == NeckFeature.BeforeBn) return x;
        var bn = neck.Bottleneck;
        using var scope = NewDisposeScope();
        var scale = (bn.weight! / bn.running_var!.Add(bn.eps).sqrt()).narrow(0, offset, size);
        var shift = bn.bias!.narrow(0, offset, size) - bn.running_mean!.narrow(0, offset, size) * scale;
        var g = ctx.Graph;
        return g.Node("Add", [g.Node("Mul", [x, ctx.Weight("neck.scale", scale)]), ctx.Weight("neck.shift", shift)]);
    }
}
