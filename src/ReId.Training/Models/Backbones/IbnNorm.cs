using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>IBN-a normalisation (Pan et al., IBN-Net): affine InstanceNorm on the first half of the channels, BatchNorm on the rest.</summary>
public sealed class IbnNorm : nn.Module<Tensor, Tensor>
{
    private readonly InstanceNorm2d IN;
    private readonly BatchNorm2d BN;
    private readonly long _half;

    /// <summary>Creates the layer for <paramref name="channels"/> channels.</summary>
    public IbnNorm(long channels) : base(nameof(IbnNorm))
    {
        _half = channels / 2;
        IN = nn.InstanceNorm2d(_half, affine: true);
        BN = nn.BatchNorm2d(channels - _half);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var a = IN.forward(x.narrow(1, 0, _half));
        var b = BN.forward(x.narrow(1, _half, x.shape[1] - _half));
        return torch.cat([a, b], 1).MoveToOuterDisposeScope();
    }

    internal string Export(OnnxExportContext ctx, string x, string name)
    {
        var g = ctx.Graph;
        long rest = BN.weight!.shape[0];
        var parts = g.Node("Split", [x, ctx.Ints(_half, rest)], 2, OnnxAttribute.Int("axis", 1));
        string a = g.Node("InstanceNormalization", [parts[0], ctx.Weight(name + ".IN.weight", IN.weight!), ctx.Weight(name + ".IN.bias", IN.bias!)],
            OnnxAttribute.Float("epsilon", 1e-5f));
        string b = OnnxCnn.BatchNorm(ctx, parts[1], BN, name + ".BN");
        return g.Node("Concat", [a, b], OnnxAttribute.Int("axis", 1));
    }
}
