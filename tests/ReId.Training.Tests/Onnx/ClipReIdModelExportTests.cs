using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Models.Text;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Onnx;

public sealed class ClipReIdModelExportTests
{
    private static ClipReIdModel Build(bool resnet, NeckFeature feature)
    {
        torch.manual_seed(resnet ? 21 : 22);
        nn.Module<Tensor, Tensor> visual = resnet
            ? new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32, LastStride = 1 })
            : new ClipVisionTransformer(new ClipVisionOptions { Width = 32, Layers = 1, PatchSize = 8, InputHeight = 64, InputWidth = 32, OutputDim = 16 });
        var text = new ClipTextTransformer(new ClipTextOptions { Width = 32, Layers = 1, ContextLength = 8, VocabSize = 20, OutputDim = 16 });
        var prompt = new ClipPromptLearner(text, [18, 1, 2, 3, 3, 4, 19, 0], prefixLength: 3, numClasses: 5, numTokens: 2);
        var model = new ClipReIdModel(visual, text, prompt, classes: 5, feature);
        // Non-trivial BatchNorm statistics, so the eval-mode export is really checked.
        model.train();
        var criterion = new ReIdLoss(new ReIdLossOptions());
        using (torch.no_grad())
            for (int i = 0; i < 2; i++)
                model.Loss(torch.randn(4, 3, 64, 32) * 2f + 0.3f, torch.tensor(new long[] { 0, 0, 1, 1 }), criterion, out _).Dispose();
        model.eval();
        return model;
    }

    [Theory]
    [InlineData(false, NeckFeature.BeforeBn)]
    [InlineData(false, NeckFeature.AfterBn)]
    [InlineData(true, NeckFeature.BeforeBn)]
    [InlineData(true, NeckFeature.AfterBn)]
    public void TheConcatenatedEmbeddingExportsAndMatchesTorch(bool resnet, NeckFeature feature)
    {
        using var m = Build(resnet, feature);
        Assert.Equal(resnet ? 8 * 32 + 16 : 32 + 16, m.EmbeddingSize);
        var bytes = OnnxExporter.Export(m, 64, 32, m.EmbeddingSize, resnet ? "clip-rn50" : "clip-vit");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
            Assert.True(ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, batch, 64, 32) < 1e-4, $"batch {batch}");
    }
}
