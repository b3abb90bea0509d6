using ReId.MLNet.Onnx;
using TorchSharp.Modules;

namespace ReId.Training.Onnx;

/// <summary>ONNX nodes for the convolution and normalisation layers the ReID CNNs are made of.</summary>
internal static class OnnxConvBn
{
    public static string Conv(OnnxExportContext ctx, string x, Conv2d conv, string name, long stride, long padding, long groups = 1)
    {
        long k = conv.weight!.shape[2];
        return ctx.Graph.Node("Conv", [x, ctx.Weight(name + ".weight", conv.weight!)],
            OnnxAttribute.Ints("kernel_shape", k, k), OnnxAttribute.Ints("strides", stride, stride),
            OnnxAttribute.Ints("pads", padding, padding, padding, padding), OnnxAttribute.Int("group", groups));
    }

    public static string BatchNorm(OnnxExportContext ctx, string x, TorchSharp.Modules.BatchNorm bn, string name) =>
        ctx.Graph.Node("BatchNormalization",
            [x, ctx.Weight(name + ".weight", bn.weight!), ctx.Weight(name + ".bias", bn.bias!), ctx.Weight(name + ".running_mean", bn.running_mean!), ctx.Weight(name + ".running_var", bn.running_var!)],
            OnnxAttribute.Float("epsilon", 1e-5f));

    public static string Relu(OnnxExportContext ctx, string x) => ctx.Graph.Node("Relu", [x]);

    /// <summary>PyTorch's AvgPool2d(k): kernel = stride = k, no padding, rounding down; nothing to add for k = 1.</summary>
    public static string AveragePool(OnnxExportContext ctx, string x, long k) =>
        k == 1 ? x : ctx.Graph.Node("AveragePool", [x], OnnxAttribute.Ints("kernel_shape", k, k), OnnxAttribute.Ints("strides", k, k));
}
