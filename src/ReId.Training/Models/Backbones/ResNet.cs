using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// ResNet for ReID (torchvision layout and parameter names): ResNet-18/34/50/101, IBN-a variants (18/34 too) (IBN in layers 1–3) and
/// ResNeXt-101 32×8d IBN-a, with the last stride optionally 1 (bag of tricks). Returns the feature map [B, C, H/16, W/16]
/// (H/32 with last stride 2).
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;

    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet18-ibn", "resnet34-ibn", "resnet50-ibn", "resnet101-ibn", "resnext101-ibn"];

    private ResNet(int[] layers, bool bottleneck, bool ibn, bool lastStrideOne, long groups, long widthPerGroup) : base(nameof(ResNet))
    {
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = ScalarSafeBatchNorm.For2d(64);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        long inChannels = 64;
        Sequential Layer(long planes, int blocks, long stride, bool useIbn)
        {
            var list = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < blocks; i++)
            {
                long width = bottleneck ? planes * widthPerGroup / 64 * groups : 0;
                list.Add(new ResNetBlock(inChannels, planes, i == 0 ? stride : 1, bottleneck, useIbn, groups, width));
                inChannels = planes * (bottleneck ? 4 : 1);
            }
            return nn.Sequential(list);
        }
        layer1 = Layer(64, layers[0], 1, ibn);
        layer2 = Layer(128, layers[1], 2, ibn);
        layer3 = Layer(256, layers[2], 2, ibn);
        layer4 = Layer(512, layers[3], lastStrideOne ? 1 : 2, false);
        OutputChannels = (int)inChannels;
        Stride = lastStrideOne ? 16 : 32;
        RegisterComponents();
        Initialize();
    }

    /// <summary>Channels of the output feature map (512 for ResNet-18/34, 2048 otherwise).</summary>
    public int OutputChannels { get; }
    /// <summary>Total downsampling factor.</summary>
    public int Stride { get; }

    /// <summary>Builds a backbone by name; an unknown name is an ArgumentException listing the known ones.</summary>
    public static ResNet Create(string name, bool lastStrideOne = true) => name.ToLowerInvariant() switch
    {
        "resnet18" => new ResNet([2, 2, 2, 2], false, false, lastStrideOne, 1, 64),
        "resnet34" => new ResNet([3, 4, 6, 3], false, false, lastStrideOne, 1, 64),
        "resnet50" => new ResNet([3, 4, 6, 3], true, false, lastStrideOne, 1, 64),
        "resnet101" => new ResNet([3, 4, 23, 3], true, false, lastStrideOne, 1, 64),
        // IBN-a in basic blocks (first norm of each block in layers 1–3): the small appearance branch of CLIP-SENet.
        "resnet18-ibn" => new ResNet([2, 2, 2, 2], false, true, lastStrideOne, 1, 64),
        "resnet34-ibn" => new ResNet([3, 4, 6, 3], false, true, lastStrideOne, 1, 64),
        "resnet50-ibn" => new ResNet([3, 4, 6, 3], true, true, lastStrideOne, 1, 64),
        "resnet101-ibn" => new ResNet([3, 4, 23, 3], true, true, lastStrideOne, 1, 64),
        "resnext101-ibn" => new ResNet([3, 4, 23, 3], true, true, lastStrideOne, 32, 8),
        _ => throw new ArgumentException($"unknown ResNet backbone '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
    };

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = maxpool.forward(nn.functional.relu(bn1.forward(conv1.ForwardSafe(x))));
        y = layer4.forward(layer3.forward(layer2.forward(layer1.forward(y))));
        return y.MoveToOuterDisposeScope();
    }

    public string Export(OnnxExportContext ctx, string input)
    {
        string y = OnnxConvBn.Conv(ctx, input, conv1, "conv1", 2, 3);
        y = OnnxConvBn.Relu(ctx, OnnxConvBn.BatchNorm(ctx, y, (ScalarSafeBatchNorm)bn1, "bn1"));
        y = ctx.Graph.Node("MaxPool", [y], OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        foreach (var (layer, name) in new[] { (layer1, "layer1"), (layer2, "layer2"), (layer3, "layer3"), (layer4, "layer4") })
        {
            int i = 0;
            foreach (var block in layer.children().Cast<ResNetBlock>())
                y = block.Export(ctx, y, $"{name}.{i++}");
        }
        return y;
    }

    private void Initialize()
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Conv2d c:
                    nn.init.kaiming_normal_(c.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case ScalarSafeBatchNorm b:
                    nn.init.ones_(b.weight!);
                    nn.init.zeros_(b.bias!);
                    break;
                case InstanceNorm2d n when n.weight is not null:
                    nn.init.ones_(n.weight);
                    nn.init.zeros_(n.bias!);
                    break;
            }
        }
    }
}
