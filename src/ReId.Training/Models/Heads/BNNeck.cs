using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Heads;

/// <summary>
/// BNNeck (Luo et al., "Bag of Tricks"): BatchNorm1d whose bias is frozen at zero, then a bias-free linear
/// identity classifier. <c>forward</c> returns the inference feature chosen by <see cref="Feature"/>.
/// </summary>
public sealed class BNNeck : nn.Module<Tensor, Tensor>
{
    private readonly ScalarSafeBatchNorm bottleneck;
    private readonly Linear? classifier;

    /// <summary>Creates the neck for <paramref name="inFeatures"/>-dimensional features and <paramref name="classes"/> identities (0 = no classifier).</summary>
    public BNNeck(int inFeatures, int classes, NeckFeature feature = NeckFeature.AfterBn) : base(nameof(BNNeck))
    {
        bottleneck = ScalarSafeBatchNorm.For1d(inFeatures);
        bottleneck.bias!.requires_grad = false;
        if (classes > 0)
        {
            classifier = nn.Linear(inFeatures, classes, hasBias: false);
            using (torch.no_grad()) nn.init.normal_(classifier.weight!, 0, 0.001);
        }
        Feature = feature;
        RegisterComponents();
    }

    /// <summary>Feature returned at inference.</summary>
    public NeckFeature Feature { get; set; }

    /// <summary>Feature size.</summary>
    public long FeatureSize => bottleneck.weight!.shape[0];

    /// <summary>The BatchNorm (for export).</summary>
    internal ScalarSafeBatchNorm Bottleneck => bottleneck;

    /// <summary>x: [B, C] → inference feature [B, C].</summary>
    public override Tensor forward(Tensor x) =>
        Feature == NeckFeature.BeforeBn ? x.alias() : bottleneck.forward(x);

    /// <summary>All three outputs (training path).</summary>
    public NeckOutput Apply(Tensor x)
    {
        var after = bottleneck.forward(x);
        return new NeckOutput(x.alias(), after, classifier?.forward(after));
    }

    /// <summary>Writes the inference feature into an ONNX graph (eval BN folded into a scale and shift).</summary>
    internal string Export(OnnxExportContext ctx, string x)
    {
        if (Feature == NeckFeature.BeforeBn) return x;
        using var scale = bottleneck.weight! / bottleneck.running_var!.Add(bottleneck.eps).sqrt();
        using var shift = bottleneck.bias! - bottleneck.running_mean! * scale;
        return ctx.Graph.Node("Add", [ctx.Graph.Node("Mul", [x, ctx.Weight("neck.scale", scale)]), ctx.Weight("neck.shift", shift)]);
    }
}
