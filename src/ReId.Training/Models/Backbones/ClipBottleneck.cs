using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// CLIP's anti-aliased bottleneck block (expansion 4): every convolution has stride 1 and downsampling is an
/// average pool before <c>conv3</c> and before the shortcut's 1×1 convolution. Parameter names follow OpenAI's
/// checkpoints (<c>conv1..3</c>, <c>bn1..3</c>, <c>downsample.1</c> = conv, <c>downsample.2</c> = BN).
/// </summary>
public sealed class ClipBottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per inner channel.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm bn2;
    private readonly AvgPool2d? avgpool;
    private readonly Conv2d conv3;
    private readonly ScalarSafeBatchNorm bn3;
    private readonly Sequential? downsample;
    private readonly int _stride;

    /// <summary>A block from <paramref name="inplanes"/> to <paramref name="planes"/> · 4 channels, downsampling by <paramref name="stride"/>.</summary>
    public ClipBottleneck(long inplanes, long planes, int stride) : base(nameof(ClipBottleneck))
    {
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be at least 1.");
        _stride = stride;
        long outChannels = planes * Expansion;
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = ScalarSafeBatchNorm.For2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = ScalarSafeBatchNorm.For2d(planes);
        if (stride > 1) avgpool = nn.AvgPool2d(stride);
        conv3 = nn.Conv2d(planes, outChannels, 1, bias: false);
        bn3 = ScalarSafeBatchNorm.For2d(outChannels);
        if (stride > 1 || inplanes != outChannels)
        {
            // Index 0 holds the pool (parameterless) so the conv and BN keep OpenAI's names downsample.1 and downsample.2,
            // also with stride 1 (ReID's last stride), where the pool is the identity.
            nn.Module<Tensor, Tensor> pool = stride > 1 ? nn.AvgPool2d(stride) : nn.Identity();
            downsample = nn.Sequential(pool, nn.Conv2d(inplanes, outChannels, 1, bias: false), ScalarSafeBatchNorm.For2d(outChannels));
        }
        RegisterComponents();
    }

    /// <summary>Downsampling factor of the block.</summary>
    public int Stride => _stride;

    /// <summary>x: [B, inplanes, H, W] → [B, planes · 4, H / stride, W / stride].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.ForwardSafe(x)));
        y = nn.functional.relu(bn2.forward(conv2.ForwardSafe(y)));
        if (avgpool is not null) y = avgpool.forward(y);
        y = bn3.forward(conv3.ForwardSafe(y));
        var identity = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(y.Add(identity)).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the block into an ONNX graph with weights named under <paramref name="name"/>.</summary>
    internal string Export(OnnxExportContext ctx, string x, string name)
    {
        string y = OnnxConvBn.Relu(ctx, OnnxConvBn.BatchNorm(ctx, OnnxConvBn.Conv(ctx, x, conv1, name + ".conv1", 1, 0), bn1, name + ".bn1"));
        y = OnnxConvBn.Relu(ctx, OnnxConvBn.BatchNorm(ctx, OnnxConvBn.Conv(ctx, y, conv2, name + ".conv2", 1, 1), bn2, name + ".bn2"));
        y = OnnxConvBn.AveragePool(ctx, y, _stride);
        y = OnnxConvBn.BatchNorm(ctx, OnnxConvBn.Conv(ctx, y, conv3, name + ".conv3", 1, 0), bn3, name + ".bn3");
        string identity = x;
        if (downsample is not null)
        {
            var parts = downsample.children().ToList();
            identity = OnnxConvBn.Conv(ctx, OnnxConvBn.AveragePool(ctx, x, _stride), (Conv2d)parts[1], name + ".downsample.1", 1, 0);
            identity = OnnxConvBn.BatchNorm(ctx, identity, (ScalarSafeBatchNorm)parts[2], name + ".downsample.2");
        }
        return OnnxConvBn.Relu(ctx, ctx.Graph.Node("Add", [y, identity]));
    }
}
