using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;

namespace ReId.Training.Tests.Onnx;

/// <summary>Deep random-weight ResNets grow large activations (no zero-init of the last BN in each block), so float32 agreement is
/// judged relative to the output's magnitude: float32 rounding differs between libtorch's and ONNX Runtime's kernels.</summary>
public sealed class DeepResNetExportTests
{
    [Theory]
    [InlineData("resnet50-ibn")]
    [InlineData("resnet34")]
    [InlineData("resnet101")]
    [InlineData("resnext101-ibn")]
    public void ExportMatchesTorchRelativeToTheOutputScale(string name)
    {
        torch.manual_seed(3);
        using var m = new BagOfTricksModel(ResNet.Create(name), classes: 5, feature: NeckFeature.AfterBn);
        m.train();
        using (torch.no_grad())
            for (int i = 0; i < 2; i++) m.forward(torch.randn(4, 3, 64, 32)).Dispose();
        m.eval();
        var bytes = OnnxExporter.Export(m, 64, 32, m.EmbeddingSize, name);
        OnnxModelChecker.Check(bytes);
        float diff = ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, 2, 64, 32);
        torch.manual_seed(102); // MaxDiffUnderOrt's input for batch 2
        using var x = torch.randn(2, 3, 64, 32);
        using var y = m.forward(x);
        float scale = y.abs().max().item<float>();
        // Within the 1e-4 absolute target, or 2e-5 of the output's magnitude when random deep weights blow activations up.
        Assert.True(diff < 1e-4f || diff <= 2e-5f * scale, $"max abs diff {diff} at output scale {scale} (relative {diff / scale:E2})");
    }
}
