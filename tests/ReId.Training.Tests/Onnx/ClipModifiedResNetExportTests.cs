using ReId.MLNet.Onnx;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using ReId.Training.Tests.Models.Backbones;
using TorchSharp;

namespace ReId.Training.Tests.Onnx;

public sealed class ClipModifiedResNetExportTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void ExportedModifiedResNetPassesTheCheckerAndMatchesTorchUnderOnnxRuntime(int lastStride)
    {
        torch.manual_seed(21 + lastStride);
        using var m = new ClipModifiedResNet(ClipModifiedResNetTests.TinyOptions(lastStride));
        // Give BatchNorms non-trivial running statistics so eval-mode export is really checked.
        m.train();
        using (torch.no_grad())
            for (int i = 0; i < 3; i++)
                using (var x = torch.randn(4, 3, 64, 32) * 2f + 0.5f)
                    m.forward(x).Dispose();
        m.eval();
        Assert.NotEqual(0f, m.state_dict()["layer4.0.bn3.running_mean"].abs().sum().item<float>());

        var bytes = OnnxExporter.Export(m, 64, 32, m.EmbeddingSize, "clip-rn");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
        {
            float diff = ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, batch, 64, 32);
            Assert.True(diff < 1e-4, $"batch {batch}: max abs diff {diff}");
        }
    }

    [Fact]
    public void ExportedInitializersCarryOpenAiNames()
    {
        torch.manual_seed(3);
        using var m = new ClipModifiedResNet(ClipModifiedResNetTests.TinyOptions(2));
        m.eval();
        var model = OnnxModelFile.Parse(OnnxExporter.Export(m, 64, 32, m.EmbeddingSize), "clip-rn");
        var names = model.Graph.Initializer.Select(t => t.Name).ToList();
        Assert.Contains("visual.attnpool.positional_embedding", names);
        Assert.Contains("visual.layer1.0.downsample.1.weight", names);
        Assert.Contains("visual.layer4.0.bn3.running_var", names);
    }
}
