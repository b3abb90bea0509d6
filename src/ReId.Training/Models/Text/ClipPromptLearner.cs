using ReId.Training.Text;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Text;

/// <summary>
/// CLIP-ReID's stage-1 prompt learner: the prompt "A photo of a X X X X person." whose X tokens are learnt
/// per identity (<c>cls_ctx</c> [classes, N, width]); the rest is the frozen word embedding of the template.
/// <c>forward(labels)</c> gives prompt embeddings for <see cref="ClipTextTransformer.EncodeEmbeddings"/>,
/// with <see cref="EotIndex"/> as the end-of-text positions.
/// </summary>
public sealed class ClipPromptLearner : nn.Module<Tensor, Tensor>
{
    /// <summary>The placeholder word marking the learnt tokens in a template.</summary>
    public const string Placeholder = "X";

    private readonly Parameter cls_ctx;
    private readonly Tensor token_prefix;
    private readonly Tensor token_suffix;

    /// <summary>
    /// Tokenises "A photo of a X…X {<paramref name="classWord"/>}." (<paramref name="numTokens"/> placeholders;
    /// "person" for people, "vehicle" for vehicles) and takes the frozen parts from the encoder's word embedding.
    /// </summary>
    public ClipPromptLearner(ClipTextTransformer textEncoder, ClipTokenizer tokenizer, int numClasses, string classWord = "person", int numTokens = 4)
        : this(textEncoder, TokenizeTemplate(textEncoder, tokenizer, classWord, numTokens), numClasses, numTokens)
    {
    }

    /// <summary>
    /// From a tokenised template (start token, words, end token as the largest id, padding) whose learnt tokens
    /// occupy positions [<paramref name="prefixLength"/>, <paramref name="prefixLength"/> + <paramref name="numTokens"/>).
    /// </summary>
    public ClipPromptLearner(ClipTextTransformer textEncoder, long[] templateIds, int prefixLength, int numClasses, int numTokens = 4)
        : this(textEncoder, (templateIds, prefixLength), numClasses, numTokens)
    {
    }

    private ClipPromptLearner(ClipTextTransformer textEncoder, (long[] Ids, int Prefix) template, int numClasses, int numTokens)
        : base(nameof(ClipPromptLearner))
    {
        ArgumentNullException.ThrowIfNull(textEncoder);
        var (ids, prefix) = template;
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numTokens, 1);
        if (ids.Length == 0 || ids.Length > textEncoder.Options.ContextLength)
            throw new ArgumentException($"The template has {ids.Length} tokens; expected 1 to {textEncoder.Options.ContextLength}.", "templateIds");
        int eot = Array.IndexOf(ids, ids.Max());
        if (prefix < 1 || prefix + numTokens > eot)
            throw new ArgumentException($"Learnt tokens at positions {prefix}..{prefix + numTokens - 1} must follow the start token and precede the end-of-text token at {eot}.", "templateIds");

        TemplateIds = (long[])ids.Clone();
        PrefixLength = prefix;
        NumTokens = numTokens;
        NumClasses = numClasses;
        EotPosition = eot;
        int width = textEncoder.Options.Width;
        using (torch.no_grad())
        {
            using var idTensor = torch.tensor(ids, [1, ids.Length], ScalarType.Int64);
            using var embedded = textEncoder.EmbedTokens(idTensor).detach();
            token_prefix = embedded.narrow(1, 0, prefix).clone();
            token_suffix = embedded.narrow(1, prefix + numTokens, ids.Length - prefix - numTokens).clone();
            cls_ctx = new Parameter(nn.init.normal_(torch.empty(numClasses, numTokens, width, device: embedded.device), std: 0.02));
        }
        RegisterComponents();
    }

    /// <summary>The tokenised template (placeholders included), as given to the text encoder's length.</summary>
    public IReadOnlyList<long> TemplateIds { get; }

    /// <summary>Positions before the learnt tokens (start token + "a photo of a" = 5 in CLIP-ReID).</summary>
    public int PrefixLength { get; }

    /// <summary>Learnt tokens per class.</summary>
    public int NumTokens { get; }

    /// <summary>Number of classes (identities) with their own prompt.</summary>
    public int NumClasses { get; }

    /// <summary>Position of the end-of-text token in every prompt.</summary>
    public int EotPosition { get; }

    /// <summary>Class labels [B] → prompt embeddings [B, L, width]: frozen prefix, the classes' learnt tokens, frozen suffix.</summary>
    public override Tensor forward(Tensor labels)
    {
        if (labels.dim() != 1)
            throw new ArgumentException($"Labels must be [batch]; got [{string.Join(",", labels.shape)}].", nameof(labels));
        using var scope = torch.NewDisposeScope();
        long b = labels.shape[0];
        var ctx = cls_ctx.index_select(0, labels.to(ScalarType.Int64, cls_ctx.device));
        var prompts = torch.cat([token_prefix.expand(b, -1, -1), ctx, token_suffix.expand(b, -1, -1)], 1);
        return prompts.MoveToOuterDisposeScope();
    }

    /// <summary>The end-of-text position for each of <paramref name="labels"/>: [B] int64 on the labels' device.</summary>
    public Tensor EotIndex(Tensor labels) =>
        OwnedScalarMath.Full([labels.shape[0]], EotPosition, ScalarType.Int64, labels.device);

    private static (long[] Ids, int Prefix) TokenizeTemplate(ClipTextTransformer textEncoder, ClipTokenizer tokenizer, string classWord, int numTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(classWord);
        ArgumentOutOfRangeException.ThrowIfLessThan(numTokens, 1);
        string text = $"A photo of a {string.Join(" ", Enumerable.Repeat(Placeholder, numTokens))} {classWord}.";
        var ids = tokenizer.Tokenize(text, textEncoder.Options.ContextLength, truncate: false);
        var placeholder = tokenizer.Encode(Placeholder);
        if (placeholder.Count != 1)
            throw new InvalidOperationException($"The tokenizer splits the placeholder '{Placeholder}' into {placeholder.Count} tokens; expected one.");
        for (int start = 1; start + numTokens <= ids.Length; start++)
        {
            if (Enumerable.Range(start, numTokens).All(i => ids[i] == placeholder[0]))
                return (ids, start);
        }
        throw new InvalidOperationException($"'{text}' does not tokenise to {numTokens} consecutive placeholder tokens.");
    }
}
