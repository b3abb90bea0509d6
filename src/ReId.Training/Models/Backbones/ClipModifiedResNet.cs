using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// CLIP's ModifiedResNet image encoder (RN50, RN101, RN50x4 …) with OpenAI parameter names: a three-convolution stem
/// with an average pool, four layers of anti-aliased <see cref="ClipBottleneck"/> blocks and an attention pool
/// (<c>attnpool</c>). <see cref="ClipResNetOptions.LastStride"/> 1 gives CLIP-ReID's larger final map.
/// <c>forward</c> returns the attention-pooled embedding; <see cref="Encode"/> returns all outputs.
/// </summary>
public sealed class ClipModifiedResNet : nn.Module<Tensor, Tensor>, IOnnxExportable, IClipImageEncoder
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly ScalarSafeBatchNorm bn1, bn2, bn3;
    private readonly AvgPool2d avgpool;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly ClipAttentionPool attnpool;

    /// <summary>Creates a randomly initialised encoder.</summary>
    public ClipModifiedResNet(ClipResNetOptions options) : base(nameof(ClipModifiedResNet))
    {
        options.Validate();
        Options = options;
        long w = options.Width;
        conv1 = nn.Conv2d(3, w / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = ScalarSafeBatchNorm.For2d(w / 2);
        conv2 = nn.Conv2d(w / 2, w / 2, 3, padding: 1, bias: false);
        bn2 = ScalarSafeBatchNorm.For2d(w / 2);
        conv3 = nn.Conv2d(w / 2, w, 3, padding: 1, bias: false);
        bn3 = ScalarSafeBatchNorm.For2d(w);
        avgpool = nn.AvgPool2d(2);
        long inplanes = w;
        Sequential Layer(long planes, int blocks, int stride)
        {
            var list = new List<nn.Module<Tensor, Tensor>> { new ClipBottleneck(inplanes, planes, stride) };
            inplanes = planes * ClipBottleneck.Expansion;
            for (int i = 1; i < blocks; i++) list.Add(new ClipBottleneck(inplanes, planes, 1));
            return nn.Sequential(list);
        }
        layer1 = Layer(w, options.Layers[0], 1);
        layer2 = Layer(w * 2, options.Layers[1], 2);
        layer3 = Layer(w * 4, options.Layers[2], 2);
        layer4 = Layer(w * 8, options.Layers[3], options.LastStride);
        attnpool = new ClipAttentionPool(options.GridHeight, options.GridWidth, options.EmbedDim, options.EffectiveHeads, options.OutputDim);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public ClipResNetOptions Options { get; }

    /// <summary>Size of the attention-pooled embedding.</summary>
    public int EmbeddingSize => Options.OutputDim;

    /// <summary>Channels of layer4's feature map (and of <see cref="ClipResNetOutput.Pooled"/>).</summary>
    public int FeatureChannels => Options.EmbedDim;

    /// <summary>Images [B, 3, H, W] → attention-pooled embedding [B, outputDim].</summary>
    public override Tensor forward(Tensor x)
    {
        using var o = Encode(x);
        return o.Projected.alias();
    }

    /// <summary>Images [B, 3, H, W] → attention-pooled embedding, average-pooled layer4 map and the layer4 map.</summary>
    public ClipResNetOutput Encode(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var map = FeatureMap(images);
        var pooled = map.mean([2, 3]);
        var projected = attnpool.forward(map);
        return new ClipResNetOutput(projected.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope(), map.MoveToOuterDisposeScope());
    }

    /// <summary>Images → average-pooled layer4 feature [B, FeatureChannels] only (no attention pool: for heads that do not use it).</summary>
    public Tensor EncodePooled(Tensor images)
    {
        using var map = FeatureMap(images);
        return map.mean([2, 3]);
    }

    /// <summary>Writes <see cref="EncodePooled"/> into an ONNX graph.</summary>
    public string ExportPooled(OnnxExportContext ctx, string input) =>
        ctx.Graph.Node("Flatten", [ctx.Graph.Node("GlobalAveragePool", [ExportMap(ctx, input)])], OnnxAttribute.Int("axis", 1));

    private Tensor FeatureMap(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.ForwardSafe(images)));
        x = nn.functional.relu(bn2.forward(conv2.ForwardSafe(x)));
        x = nn.functional.relu(bn3.forward(conv3.ForwardSafe(x)));
        x = avgpool.forward(x);
        return layer4.forward(layer3.forward(layer2.forward(layer1.forward(x)))).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public int FeatureSize => FeatureChannels;

    /// <inheritdoc/>
    public (Tensor Feature, Tensor Projected) EncodeForReId(Tensor images)
    {
        var o = Encode(images);
        o.FeatureMap.Dispose();
        return (o.Pooled, o.Projected);
    }

    /// <inheritdoc/>
    public (string Feature, string Projected) ExportForReId(OnnxExportContext ctx, string input)
    {
        string map = ExportMap(ctx, input);
        string pooled = ctx.Graph.Node("Flatten", [ctx.Graph.Node("GlobalAveragePool", [map])], OnnxAttribute.Int("axis", 1));
        return (pooled, attnpool.Export(ctx, map, "visual.attnpool"));
    }

    /// <summary>Writes the attention-pooled embedding computation into an ONNX graph (batch stays dynamic).</summary>
    public string Export(OnnxExportContext ctx, string input) => attnpool.Export(ctx, ExportMap(ctx, input), "visual.attnpool");

    /// <summary>Writes the stem and the four stages; returns the layer4 map.</summary>
    private string ExportMap(OnnxExportContext ctx, string input)
    {
        string y = input;
        foreach (var (conv, bn, i) in new[] { (conv1, bn1, 1), (conv2, bn2, 2), (conv3, bn3, 3) })
        {
            y = OnnxConvBn.Conv(ctx, y, conv, $"visual.conv{i}", i == 1 ? 2 : 1, 1);
            y = OnnxConvBn.Relu(ctx, OnnxConvBn.BatchNorm(ctx, y, bn, $"visual.bn{i}"));
        }
        y = OnnxConvBn.AveragePool(ctx, y, 2);
        foreach (var (layer, name) in new[] { (layer1, "layer1"), (layer2, "layer2"), (layer3, "layer3"), (layer4, "layer4") })
        {
            int i = 0;
            foreach (var block in layer.children().Cast<ClipBottleneck>())
                y = block.Export(ctx, y, $"visual.{name}.{i++}");
        }
        return y;
    }
}
