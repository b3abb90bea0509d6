using ReId.Training.Models.Text;
using ReId.Training.Tests.Text;
using ReId.Training.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Text;

public sealed class ClipPromptLearnerTests
{
    // With the tiny vocabulary "A photo of a X X X X person." is SOT, a, p h o t o, o f, a (10 positions),
    // four x, p e r s o n, ".", EOT: 22 tokens.
    private static readonly ClipTokenizer Tokenizer = TinyClipVocabulary.Create();

    private static ClipTextTransformer TinyText(int seed) => ClipTextTransformerTests.Randomised(new ClipTextOptions
    {
        VocabSize = Tokenizer.VocabSize, ContextLength = 40, Width = 16, Layers = 2, Heads = 2, OutputDim = 8,
    }, seed);

    private static Parameter ClsCtx(ClipPromptLearner learner) => learner.named_parameters().Single(p => p.name == "cls_ctx").parameter;

    [Fact]
    public void InjectingWordEmbeddingsAsLearntTokensEncodesLikeTheSentence()
    {
        using var text = TinyText(3);
        using var learner = new ClipPromptLearner(text, Tokenizer, numClasses: 3);
        Assert.Equal(10, learner.PrefixLength);
        Assert.Equal(21, learner.EotPosition);

        var sentence = Tokenizer.Tokenize("A photo of a the he hello lo person.", 40);
        long[] words = [518, 519, 516, 514];
        Assert.Equal(words, sentence.Skip(10).Take(4));
        using (torch.no_grad())
        using (var wordIds = torch.tensor(words, [1, 4], ScalarType.Int64))
        using (var emb = text.EmbedTokens(wordIds))
            ClsCtx(learner)[1].copy_(emb[0]);

        using var labels = torch.tensor(new long[] { 1, 0, 1 });
        using var prompts = learner.forward(labels);
        Assert.Equal(new long[] { 3, 40, 16 }, prompts.shape);
        using var eot = learner.EotIndex(labels);
        Assert.Equal(new long[] { 21, 21, 21 }, eot.data<long>().ToArray());
        using var got = text.EncodeEmbeddings(prompts, eot);
        using var expected = text.forward(torch.tensor(sentence, [1, 40], ScalarType.Int64));
        Assert.True((got[0] - expected[0]).abs().max().item<float>() < 1e-6);
        Assert.True((got[2] - expected[0]).abs().max().item<float>() < 1e-6);
        Assert.True((got[1] - expected[0]).abs().max().item<float>() > 1e-3, "class 0 keeps its own random tokens");
    }

    [Fact]
    public void ClassWordIsConfigurableAndTheTemplateKeepsThePlaceholders()
    {
        using var text = TinyText(4);
        using var learner = new ClipPromptLearner(text, Tokenizer, numClasses: 2, classWord: "vehicle", numTokens: 2);
        Assert.Equal("a photo of a x x vehicle .", Tokenizer.Decode(learner.TemplateIds));
        Assert.Equal(10, learner.PrefixLength);
        Assert.Equal(2, learner.NumTokens);
        using var prompts = learner.forward(torch.tensor(new long[] { 1 }));
        Assert.Equal(new long[] { 1, 40, 16 }, prompts.shape);
    }

    [Fact]
    public void OnlyTheClassTokensAreParametersAndTheyStartWithStd002()
    {
        using var text = TinyText(5);
        using var learner = new ClipPromptLearner(text, Tokenizer, numClasses: 60);
        var parameters = learner.named_parameters().ToList();
        Assert.Equal(["cls_ctx"], parameters.Select(p => p.name));
        Assert.Equal(new long[] { 60, 4, 16 }, parameters[0].parameter.shape);
        double std = parameters[0].parameter.std().item<float>();
        Assert.InRange(std, 0.018, 0.022);
        var buffers = learner.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.Equal(new long[] { 1, 10, 16 }, buffers["token_prefix"].shape);
        Assert.Equal(new long[] { 1, 40 - 14, 16 }, buffers["token_suffix"].shape);
    }

    [Fact]
    public void GradientReachesOnlyTheClassesInTheBatch()
    {
        using var text = TinyText(6);
        using var learner = new ClipPromptLearner(text, Tokenizer, numClasses: 3);
        using var labels = torch.tensor(new long[] { 2, 0 });
        using var features = text.EncodeEmbeddings(learner.forward(labels), learner.EotIndex(labels));
        features.pow(2).sum().backward();
        var grad = ClsCtx(learner).grad!;
        Assert.True(grad[0].abs().sum().item<float>() > 0f);
        Assert.True(grad[2].abs().sum().item<float>() > 0f);
        Assert.Equal(0f, grad[1].abs().sum().item<float>());
    }

    [Fact]
    public void PreTokenizedTemplateSplitsAtTheGivenPrefix()
    {
        using var text = TinyText(7);
        long[] ids = [521, 64, 70, 99, 99, 71, 522, 0];
        using var learner = new ClipPromptLearner(text, ids, prefixLength: 3, numClasses: 4, numTokens: 2);
        Assert.Equal(6, learner.EotPosition);
        using var prompts = learner.forward(torch.tensor(new long[] { 3, 1 }));
        Assert.Equal(new long[] { 2, 8, 16 }, prompts.shape);
        using var expectedSuffix = text.EmbedTokens(torch.tensor(new long[] { 71, 522, 0 }, [1, 3], ScalarType.Int64));
        Assert.True((prompts[1].narrow(0, 5, 3) - expectedSuffix[0]).abs().max().item<float>() == 0f);
        Assert.True((prompts[0].narrow(0, 3, 2) - ClsCtx(learner)[3]).abs().max().item<float>() == 0f);
        Assert.Throws<ArgumentException>(() => new ClipPromptLearner(text, ids, prefixLength: 5, numClasses: 4, numTokens: 2));
        Assert.Throws<ArgumentException>(() => new ClipPromptLearner(text, ids, prefixLength: 0, numClasses: 4, numTokens: 2));
    }
}
