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

    [Fact]
    public void SieCameraEmbeddingsExportWithACameraInputAndMatchTorch()
    {
        torch.manual_seed(10);
        using var m = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 1, PatchSize = 8, InputHeight = 32, InputWidth = 16, OutputDim = 24, CameraCount = 4, CameraCoefficient = 3f,
        });
        m.eval();
        Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(m, 32, 16, 24));
        var bytes = OnnxExporter.Export(m, 32, 16, 24, "clip-vit-sie", cameraInput: true);
        OnnxModelChecker.Check(bytes);

        using var x = torch.randn(3, 3, 32, 16);
        long[] cameras = [2, 0, 3];
        using var cams = torch.tensor(cameras);
        using var noGrad = torch.no_grad();
        using var expected = m.Encode(x, cams);
        using var withoutSie = m.Encode(x, torch.zeros(3, dtype: ScalarType.Int64));
        using var session = new InferenceSession(bytes);
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor(x.data<float>().ToArray(), [3, 3, 32, 16])),
            NamedOnnxValue.CreateFromTensor(OnnxExporter.CameraInputName, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(cameras, [3])),
        ]);
        var got = results.First().AsEnumerable<float>().ToArray();
        var exp = expected.Projected.data<float>().ToArray();
        Assert.True(exp.Zip(got, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
        // The camera really changes the output (otherwise the test would not see a missing camera term).
        Assert.True((expected.Projected - withoutSie.Projected).abs().max().item<float>() > 1e-3);
    }
}
