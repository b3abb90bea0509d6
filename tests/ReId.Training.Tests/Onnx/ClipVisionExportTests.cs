using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using ReId.MLNet.Onnx;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Onnx;

public sealed class ClipVisionExportTests
{
    internal static float MaxDiffUnderOrt(byte[] model, nn.Module<Tensor, Tensor> module, int batch, int h, int w)
    {
        torch.manual_seed(100 + batch);
        using var x = torch.randn(batch, 3, h, w);
        using var expected = module.forward(x);
        using var session = new InferenceSession(model);
        var input = new DenseTensor(x.data<float>().ToArray(), [batch, 3, h, w]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        var got = results.First().AsEnumerable<float>().ToArray();
        var exp = expected.data<float>().ToArray();
        Assert.Equal(exp.Length, got.Length);
        return exp.Zip(got, (a, b) => Math.Abs(a - b)).Max();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void ExportedVitPassesTheCheckerAndMatchesTorchUnderOnnxRuntime(int stride)
    {
        torch.manual_seed(9);
        using var m = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 2, PatchSize = 8, PatchStride = stride, InputHeight = 32, InputWidth = 16, OutputDim = 24,
        });
        m.eval();
        var bytes = OnnxExporter.Export(m, 32, 16, 24, "clip-vit");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
            Assert.True(MaxDiffUnderOrt(bytes, m, batch, 32, 16) < 1e-4);
    }
}
