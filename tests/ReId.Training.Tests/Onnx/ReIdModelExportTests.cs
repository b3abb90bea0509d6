using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;

namespace ReId.Training.Tests.Onnx;

public sealed class ReIdModelExportTests
{
    private static ReIdModel Build(int depth, bool ibn, long groups, long baseWidth, NeckFeature feature)
    {
        torch.manual_seed(depth + (ibn ? 1 : 0));
        var m = new ReIdModel(new ResNet(depth, ibn, lastStride: 1, groups: groups, baseWidth: baseWidth, stemWidth: 8), classes: 5, feature: feature);
        // Give BatchNorms non-trivial running statistics so eval-mode export is really checked.
        m.train();
        using (torch.no_grad())
            for (int i = 0; i < 3; i++) m.forward(torch.randn(4, 3, 32, 16) * 2f + 0.5f).Dispose();
        m.eval();
        return m;
    }

    [Theory]
    [InlineData(18, false, 1, 64, NeckFeature.AfterBn)]
    [InlineData(18, true, 1, 64, NeckFeature.BeforeBn)]
    [InlineData(50, true, 1, 64, NeckFeature.AfterBn)]
    [InlineData(50, true, 4, 8, NeckFeature.AfterBn)]
    public void ExportedResNetReIdModelMatchesTorchUnderOnnxRuntime(int depth, bool ibn, long groups, long baseWidth, NeckFeature feature)
    {
        using var m = Build(depth, ibn, groups, baseWidth, feature);
        var bytes = OnnxExporter.Export(m, 32, 16, m.EmbeddingSize, "resnet");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
        {
            float diff = ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, batch, 32, 16);
            Assert.True(diff < 1e-4, $"batch {batch}: max abs diff {diff}");
        }
    }

    [Fact]
    public void LastStrideOneKeepsTheLargerMap()
    {
        using var a = new ResNet(18, stemWidth: 8, lastStride: 1);
        using var b = new ResNet(18, stemWidth: 8, lastStride: 2);
        using var x = torch.randn(1, 3, 64, 32);
        Assert.Equal(new long[] { 1, 64, 4, 2 }, a.forward(x).shape);
        Assert.Equal(new long[] { 1, 64, 2, 1 }, b.forward(x).shape);
    }
}
