using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using TorchSharp.Modules;

namespace ReId.Training.Models.Backbones;

/// <summary>ONNX emitters for the convolution building blocks shared by the CNN backbones.</summary>
internal static class OnnxCnn
{
    public static string Conv(OnnxExportContext ctx, string x, Conv2d conv, string name, long kernel, long stride, long pad)
    {
        var inputs = new List<string> { x, ctx.Weight(name + ".weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(ctx.Weight(name + ".bias", conv.bias));
        return ctx.Graph.Node("Conv", [.. inputs], OnnxAttribute.Ints("kernel_shape", kernel, kernel),
            OnnxAttribute.Ints("strides", stride, stride), OnnxAttribute.Ints("pads", pad, pad, pad, pad));
    }

    public static string BatchNorm(OnnxExportContext ctx, string x, BatchNorm2d bn, string name) =>
        ctx.Graph.Node("BatchNormalization",
            [x, ctx.Weight(name + ".weight", bn.weight!), ctx.Weight(name + ".bias", bn.bias!),
             ctx.Weight(name + ".running_mean", bn.running_mean!), ctx.Weight(name + ".running_var", bn.running_var!)],
            OnnxAttribute.Float("epsilon", (float)bn.eps));

    public static string Relu(OnnxExportContext ctx, string x) => ctx.Graph.Node("Relu", [x]);

    public static string AvgPool(OnnxExportContext ctx, string x, long k) =>
        ctx.Graph.Node("AveragePool", [x], OnnxAttribute.Ints("kernel_shape", k, k), OnnxAttribute.Ints("strides", k, k));
}
