using ReId.Training.Methods.Csgn;
using ReId.Training.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Csgn;

public sealed class MultiDescriptionGeneratorTests
{
    internal static MultiDescriptionGenerator Build(int seed, bool grey = true, int classes = 3)
    {
        torch.manual_seed(seed);
        var text = new ClipTextTransformer(new ClipTextOptions { Width = 32, Layers = 1, ContextLength = 8, VocabSize = 20, OutputDim = 16 });
        return new MultiDescriptionGenerator(text, [18, 1, 2, 3, 3, 4, 19, 0], prefixLength: 3, classes, numTokens: 2, grey);
    }

    [Fact]
    public void TheTwoBanksHaveTheirOwnTokensAndTheirOwnTextFeatures()
    {
        using var mdg = Build(1);
        using var labels = torch.tensor(new long[] { 2, 0 });
        using var rgb = mdg.TextFeatures(CsgnPromptBank.Rgb, labels);
        using var grey = mdg.TextFeatures(CsgnPromptBank.Grey, labels);
        Assert.Equal(new long[] { 2, 16 }, rgb.shape);
        Assert.True((rgb - grey).abs().max().item<float>() > 1e-4);
        var names = mdg.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("prompt_rgb.cls_ctx", names);
        Assert.Contains("prompt_grey.cls_ctx", names);

        // A bank's feature is the text encoder run on its learner's prompt: copying the RGB tokens into the grey bank makes them equal.
        using (torch.no_grad())
            mdg.Learner(CsgnPromptBank.Grey).parameters().Single().copy_(mdg.Learner(CsgnPromptBank.Rgb).parameters().Single());
        using var copied = mdg.TextFeatures(CsgnPromptBank.Grey, labels);
        Assert.True((rgb - copied).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void ClassTextFeaturesStackEveryIdentityInLabelOrderWithoutGradients()
    {
        using var mdg = Build(2, classes: 5);
        using var all = mdg.ClassTextFeatures(CsgnPromptBank.Grey, batchSize: 2);
        Assert.Equal(new long[] { 5, 16 }, all.shape);
        Assert.False(all.requires_grad);
        using var three = mdg.TextFeatures(CsgnPromptBank.Grey, torch.tensor(new long[] { 3 }));
        Assert.True((all[3] - three[0]).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void EverythingStartsFrozenAndAGreyLessGeneratorHasOneBank()
    {
        using var mdg = Build(3, grey: false);
        Assert.All(mdg.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(mdg.HasGreyBank);
        Assert.Throws<InvalidOperationException>(() => mdg.Learner(CsgnPromptBank.Grey));
    }
}
