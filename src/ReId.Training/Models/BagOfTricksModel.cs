using ReId.Training.Models.Backbones;
using ReId.Training.Losses;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Models;

/// <summary>
/// The bag-of-tricks CNN ReID model (Luo et al.): backbone feature map → GeM pooling → BNNeck. <c>forward</c> gives the inference
/// embedding (before or after BN); <see cref="Apply"/> gives the training outputs.
/// </summary>
public sealed class BagOfTricksModel : nn.Module<Tensor, Tensor>, IReIdNetwork
{
    private readonly ResNet backbone;
    private readonly GeMPooling pool;
    private readonly BNNeck neck;
    private readonly CenterLoss? center;

    /// <summary>Composes the parts; <paramref name="gemP"/> 1 gives average pooling.</summary>
    /// <param name="withCenters">Adds class centres for center loss (<c>center.centers</c>, kept with the weights so that resume is exact).</param>
    public BagOfTricksModel(ResNet backbone, int classes, float gemP = 3f, bool learnP = true, NeckFeature feature = NeckFeature.AfterBn, bool withCenters = false) : base(nameof(BagOfTricksModel))
    {
        this.backbone = backbone;
        pool = new GeMPooling(gemP, learnP: learnP);
        neck = new BNNeck(backbone.OutputChannels, classes, feature);
        if (withCenters)
        {
            if (classes < 1) throw new ArgumentException("Center loss needs the number of classes.", nameof(classes));
            center = new CenterLoss(classes, (int)backbone.OutputChannels);
        }
        RegisterComponents();
    }

    /// <summary>The class centres of center loss, or null.</summary>
    public CenterLoss? Center => center;

    /// <summary>Embedding size.</summary>
    public int EmbeddingSize => (int)neck.FeatureSize;

    /// <summary>The neck (feature choice can be changed).</summary>
    public BNNeck Neck => neck;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var map = backbone.forward(x);
        using var pooled = pool.forward(map);
        return neck.forward(pooled);
    }

    /// <summary>Training outputs: pooled feature (triplet), BN feature and identity logits.</summary>
    public NeckOutput Apply(Tensor x)
    {
        using var map = backbone.forward(x);
        using var pooled = pool.forward(map);
        return neck.Apply(pooled);
    }

    /// <inheritdoc/>
    public ReIdLossResult Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct)
    {
        using var output = Apply(images);
        var loss = criterion.Compute(output.Logits, output.BeforeBn, labels);
        using var predicted = output.Logits!.argmax(1);
        using var hits = predicted.eq(labels).sum();
        correct = hits.item<long>();
        return loss;
    }

    /// <inheritdoc/>
    public string Export(OnnxExportContext ctx, string input) =>
        neck.Export(ctx, pool.Export(ctx, backbone.Export(ctx, input)));
}
