using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>A residual block of a ReID ResNet: basic (two 3×3) or bottleneck (1×1, grouped 3×3, 1×1), optionally with IBN-a as its first norm.</summary>
public sealed class ResNetBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm bn2;
    private readonly Conv2d? conv3;
    private readonly ScalarSafeBatchNorm? bn3;
    private readonly Sequential? downsample;
    private readonly long _stride, _groups;

    /// <param name="bottleneck">Bottleneck (expansion 4) rather than basic block (expansion 1).</param>
    /// <param name="width">Channels of the inner convolutions (bottleneck: planes × groups × width_per_group / 64).</param>
    public ResNetBlock(long inChannels, long planes, long stride, bool bottleneck, bool ibn, long groups = 1, long width = 0) : base(nameof(ResNetBlock))
    {
        _stride = stride;
        _groups = groups;
        long expansion = bottleneck ? 4 : 1;
        long inner = bottleneck ? (width > 0 ? width : planes) : planes;
        if (bottleneck)
        {
            conv1 = nn.Conv2d(inChannels, inner, 1, bias: false);
            conv2 = nn.Conv2d(inner, inner, 3, stride: stride, padding: 1, groups: groups, bias: false);
            conv3 = nn.Conv2d(inner, planes * expansion, 1, bias: false);
            bn3 = ScalarSafeBatchNorm.For2d(planes * expansion);
        }
        else
        {
            conv1 = nn.Conv2d(inChannels, planes, 3, stride: stride, padding: 1, bias: false);
            conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        }
        bn1 = ibn ? new InstanceBatchNorm(inner) : ScalarSafeBatchNorm.For2d(inner);
        bn2 = ScalarSafeBatchNorm.For2d(bottleneck ? inner : planes);
        if (stride != 1 || inChannels != planes * expansion)
            downsample = nn.Sequential(nn.Conv2d(inChannels, planes * expansion, 1, stride: stride, bias: false), ScalarSafeBatchNorm.For2d(planes * expansion));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.ForwardSafe(x)));
        y = bn2.forward(conv2.ForwardSafe(y));
        if (conv3 is not null)
            y = bn3!.forward(conv3.ForwardSafe(nn.functional.relu(y)));
        var identity = downsample is null ? x : Shortcut(x);
        return nn.functional.relu(y.Add(identity)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The projection shortcut. oneDNN 3.7 (libtorch 2.10) dies with SIGFPE (integer division by zero in brgemm's
    /// est_eff_1x1) in the backward of strided 1×1 convolutions with 512 or more input channels on AVX-512 CPUs — ResNet-50's
    /// 512→1024 and 1024→2048 shortcuts. There the shortcut is computed as a stride-1 1×1 convolution of the subsampled
    /// input: same weights, same result, and the export still writes one strided Conv. Narrower shortcuts, which that
    /// kernel handles, keep the strided convolution (the subsample costs an extra copy in forward and backward).
    /// </summary>
    private Tensor Shortcut(Tensor x)
    {
        var conv = (Conv2d)downsample!.children().First();
        var bn = (ScalarSafeBatchNorm)downsample.children().Last();
        if (_stride == 1 || x.shape[1] < 512) return bn.forward(conv.ForwardSafe(x));
        using var sub = x[.., .., TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
        using var y = nn.functional.conv2d(sub, conv.weight!);
        return bn.forward(y);
    }

    internal string Export(OnnxExportContext ctx, string x, string name)
    {
        bool bottleneck = conv3 is not null;
        string y = OnnxConvBn.Conv(ctx, x, conv1, name + ".conv1", bottleneck ? 1 : _stride, bottleneck ? 0 : 1);
        y = bn1 is InstanceBatchNorm ibn ? ibn.Export(ctx, y, name + ".bn1") : OnnxConvBn.BatchNorm(ctx, y, (ScalarSafeBatchNorm)bn1, name + ".bn1");
        y = OnnxConvBn.Relu(ctx, y);
        y = OnnxConvBn.Conv(ctx, y, conv2, name + ".conv2", bottleneck ? _stride : 1, 1, bottleneck ? _groups : 1);
        y = OnnxConvBn.BatchNorm(ctx, y, bn2, name + ".bn2");
        if (bottleneck)
        {
            y = OnnxConvBn.Conv(ctx, OnnxConvBn.Relu(ctx, y), conv3!, name + ".conv3", 1, 0);
            y = OnnxConvBn.BatchNorm(ctx, y, bn3!, name + ".bn3");
        }
        string identity = x;
        if (downsample is not null)
        {
            var conv = (Conv2d)downsample.children().First();
            var bn = (ScalarSafeBatchNorm)downsample.children().Last();
            identity = OnnxConvBn.BatchNorm(ctx, OnnxConvBn.Conv(ctx, x, conv, name + ".downsample.0", _stride, 0), bn, name + ".downsample.1");
        }
        return OnnxConvBn.Relu(ctx, ctx.Graph.Node("Add", [y, identity]));
    }
}
