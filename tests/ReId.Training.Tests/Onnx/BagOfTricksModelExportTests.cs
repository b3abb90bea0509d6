using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;

namespace ReId.Training.Tests.Onnx;

public sealed class BagOfTricksModelExportTests
{
    private static BagOfTricksModel Build(string name, NeckFeature feature)
    {
        torch.manual_seed(name.Length);
        var m = new BagOfTricksModel(ResNet.Create(name), classes: 5, feature: feature);
        // Give BatchNorms non-trivial running statistics so eval-mode export is really checked.
        m.train();
        using (torch.no_grad())
            for (int i = 0; i < 3; i++) m.forward(torch.randn(4, 3, 32, 16) * 2f + 0.5f).Dispose();
        m.eval();
        return m;
    }

    [Theory]
    [InlineData("resnet18", NeckFeature.AfterBn)]
    [InlineData("resnet18", NeckFeature.BeforeBn)]
    public void ExportedBagOfTricksModelMatchesTorchUnderOnnxRuntime(string name, NeckFeature feature)
    {
        using var m = Build(name, feature);
        var bytes = OnnxExporter.Export(m, 32, 16, m.EmbeddingSize, "resnet");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
        {
            float diff = ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, batch, 32, 16);
            Assert.True(diff < 1e-4, $"batch {batch}: max abs diff {diff}");
        }
    }
}
