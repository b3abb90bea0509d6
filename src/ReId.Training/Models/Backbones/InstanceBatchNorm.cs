using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>IBN-a normalisation (Pan et al. 2018): instance norm on the first half of the channels, batch norm on the rest.</summary>
public sealed class InstanceBatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly InstanceNorm2d IN;
    private readonly ScalarSafeBatchNorm BN;
    private readonly long _half;

    public InstanceBatchNorm(long channels, double ratio = 0.5) : base(nameof(InstanceBatchNorm))
    {
        _half = (long)(channels * ratio);
        IN = nn.InstanceNorm2d(_half, affine: true);
        BN = ScalarSafeBatchNorm.For2d(channels - _half);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = x.split([_half, x.shape[1] - _half], 1);
        var y = cat([IN.forward(parts[0]), BN.forward(parts[1])], 1);
        // Instance norm answers in NCHW whatever its input, and so would every layer after it: keep a channels-last network so.
        if (ChannelsLast.Is(x) && !ChannelsLast.Is(y)) y = ChannelsLast.From(y);
        return y.MoveToOuterDisposeScope();
    }

    internal string Export(OnnxExportContext ctx, string x, string name)
    {
        long channels = _half + BN.weight!.shape[0];
        var halves = ctx.Graph.Node("Split", [x, ctx.Ints(_half, channels - _half)], 2, OnnxAttribute.Int("axis", 1));
        string a = ctx.Graph.Node("InstanceNormalization", [halves[0], ctx.Weight(name + ".IN.weight", IN.weight!), ctx.Weight(name + ".IN.bias", IN.bias!)],
            OnnxAttribute.Float("epsilon", 1e-5f));
        string b = OnnxConvBn.BatchNorm(ctx, halves[1], BN, name + ".BN");
        return ctx.Graph.Node("Concat", [a, b], OnnxAttribute.Int("axis", 1));
    }
}
