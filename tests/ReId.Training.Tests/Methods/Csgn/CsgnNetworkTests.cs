using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Methods.Csgn;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using ReId.Training.Tests.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Csgn;

public sealed class CsgnNetworkTests
{
    internal static CsgnNetwork Build(CsgnFusion fusion, NeckFeature feature, bool text = true, bool hsf = true, int seed = 31)
    {
        torch.manual_seed(seed);
        var resnet = new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32, LastStride = 1 });
        var vit = new ClipVisionTransformer(new ClipVisionOptions { Width = 32, Layers = 1, PatchSize = 8, InputHeight = 64, InputWidth = 32, OutputDim = 16 });
        var mdg = text ? MultiDescriptionGeneratorTests.Build(seed, grey: true, classes: 5) : null;
        return new CsgnNetwork(resnet, vit, mdg, classes: 5, fusion, hsf: hsf && fusion != CsgnFusion.None, feature);
    }

    private static void TrainBatchNorms(CsgnNetwork m)
    {
        m.train();
        var criterion = new ReIdLoss(new ReIdLossOptions());
        using (torch.no_grad())
            for (int i = 0; i < 2; i++)
                m.Loss(torch.randn(4, 3, 64, 32) * 2f + 0.3f, torch.tensor(new long[] { 0, 0, 1, 1 }), criterion, out _).Dispose();
        m.eval();
    }

    [Theory]
    [InlineData(CsgnFusion.None, NeckFeature.BeforeBn)]
    [InlineData(CsgnFusion.Concat, NeckFeature.BeforeBn)]
    [InlineData(CsgnFusion.Concat, NeckFeature.AfterBn)]
    [InlineData(CsgnFusion.Steer, NeckFeature.AfterBn)]
    public void TheEmbeddingExportsAndMatchesTorchUnderOnnxRuntime(CsgnFusion fusion, NeckFeature feature)
    {
        using var m = Build(fusion, feature);
        // VSS starts as the ViT projection; random weights make the export check every part of the fusion.
        using (torch.no_grad())
            foreach (var (name, p) in m.named_parameters().Where(p => p.name.StartsWith("vss.mix", StringComparison.Ordinal)))
                p.copy_(torch.randn(p.shape) * 0.1f);
        TrainBatchNorms(m);
        Assert.Equal(8 * 32 + 32 + (fusion == CsgnFusion.None ? 0 : 16), m.EmbeddingSize);
        var bytes = OnnxExporter.Export(m, 64, 32, m.EmbeddingSize, "csgn");
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
            Assert.True(ClipVisionExportTests.MaxDiffUnderOrt(bytes, m, batch, 64, 32) < 1e-4, $"batch {batch}");
    }

    [Fact]
    public void TheLossSumsCeAndTripletOverThreeFeaturesPlusHsfOnTheFusedFeature()
    {
        using var m = Build(CsgnFusion.Concat, NeckFeature.BeforeBn);
        m.FixClassTextFeatures();
        m.train();
        torch.manual_seed(5);
        using var x = torch.randn(4, 3, 64, 32);
        using var y = torch.tensor(new long[] { 0, 0, 3, 3 });
        var criterion = new ReIdLoss(new ReIdLossOptions());
        using var loss = m.Loss(x, y, criterion, out long correct);
        Assert.InRange(correct, 0, 4);
        Assert.Equal(["ce", "i2t-grey", "i2t-rgb", "triplet"], loss.Terms.Keys.Order());

        // The HSF terms equal an independent computation on the fused feature and each bank's class text features.
        using var f = m.Encode(x);
        using var rgb = m.Mdg!.ClassTextFeatures(CsgnPromptBank.Rgb);
        using var grey = m.Mdg.ClassTextFeatures(CsgnPromptBank.Grey);
        var ce = new CrossEntropyLabelSmooth(0.1);
        using var expectRgb = ce.Forward(f.Fused!.matmul(rgb.t()), y);
        using var expectGrey = ce.Forward(f.Fused!.matmul(grey.t()), y);
        Assert.Equal(expectRgb.item<float>(), loss.Terms["i2t-rgb"], 4);
        Assert.Equal(expectGrey.item<float>(), loss.Terms["i2t-grey"], 4);

        loss.Total.backward();
        var grads = m.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.NotNull(grads["vss.mix.weight"]);
        Assert.NotNull(grads["resnet.conv1.weight"]);
        Assert.NotNull(grads["vit.conv1.weight"]);
        Assert.All(m.Mdg.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void TheBaselineHasNoTextTermsAndNoFusedFeature()
    {
        using var m = Build(CsgnFusion.None, NeckFeature.BeforeBn, text: false);
        m.FixClassTextFeatures();
        m.train();
        using var loss = m.Loss(torch.randn(4, 3, 64, 32), torch.tensor(new long[] { 0, 0, 1, 1 }), new ReIdLoss(new ReIdLossOptions()), out _);
        Assert.Equal(["ce", "triplet"], loss.Terms.Keys.Order());
        Assert.DoesNotContain(m.named_parameters(), p => p.name.StartsWith("vss.", StringComparison.Ordinal));
    }

    [Fact]
    public void HsfWithoutAFusionIsRejected()
    {
        var resnet = new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32 });
        var vit = new ClipVisionTransformer(new ClipVisionOptions { Width = 32, Layers = 1, PatchSize = 8, InputHeight = 64, InputWidth = 32, OutputDim = 16 });
        var e = Assert.Throws<ArgumentException>(() => new CsgnNetwork(resnet, vit, null, 5, CsgnFusion.None, hsf: true));
        Assert.Contains("fusion", e.Message);
    }
}
