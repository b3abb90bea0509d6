using ReId.Training.Models;
using ReId.Training.Models.Text;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// CSGN's Multi-Description Generator: one frozen CLIP text encoder and two banks of per-identity learnable prompt
/// tokens ("A photo of a X X X X person."), one for RGB images (<c>prompt_rgb</c>) and one for their grey copies
/// (<c>prompt_grey</c>). Two <see cref="ClipPromptLearner"/> instances rather than one with a bank dimension: each bank
/// is then exactly CLIP-ReID's learner (same parameter shape, same checkpoint names per bank) and either can be switched off.
/// </summary>
public sealed class MultiDescriptionGenerator : nn.Module
{
    private readonly ClipTextTransformer text;
    private readonly ClipPromptLearner prompt_rgb;
    private readonly ClipPromptLearner? prompt_grey;

    /// <summary>Two banks over one template (token ids, first placeholder at <paramref name="prefixLength"/>); <paramref name="greyBank"/> false keeps the RGB bank only.</summary>
    public MultiDescriptionGenerator(ClipTextTransformer text, long[] templateIds, int prefixLength, int classes, int numTokens, bool greyBank = true)
        : base(nameof(MultiDescriptionGenerator))
    {
        ArgumentNullException.ThrowIfNull(text);
        this.text = text;
        prompt_rgb = new ClipPromptLearner(text, templateIds, prefixLength, classes, numTokens);
        prompt_grey = greyBank ? new ClipPromptLearner(text, templateIds, prefixLength, classes, numTokens) : null;
        RegisterComponents();
        ClipReIdModel.SetTrainable(this, false);
    }

    /// <summary>The frozen text encoder.</summary>
    public ClipTextTransformer Text => text;

    /// <summary>Whether the grey bank exists.</summary>
    public bool HasGreyBank => prompt_grey is not null;

    /// <summary>Size of a text feature.</summary>
    public int EmbeddingSize => text.EmbeddingSize;

    /// <summary>Number of identities per bank.</summary>
    public int Classes => prompt_rgb.NumClasses;

    /// <summary>The prompt learner of a bank.</summary>
    public ClipPromptLearner Learner(CsgnPromptBank bank) => bank switch
    {
        CsgnPromptBank.Rgb => prompt_rgb,
        CsgnPromptBank.Grey => prompt_grey ?? throw new InvalidOperationException("This generator has no grey prompt bank."),
        _ => throw new ArgumentOutOfRangeException(nameof(bank)),
    };

    /// <summary>Text features of <paramref name="labels"/> [B] from one bank → [B, D] (differentiable in that bank's tokens).</summary>
    public Tensor TextFeatures(CsgnPromptBank bank, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var learner = Learner(bank);
        var embeddings = learner.forward(labels);
        return text.EncodeEmbeddings(embeddings, learner.EotIndex(labels)).MoveToOuterDisposeScope();
    }

    /// <summary>The text feature of every identity of a bank, [classes, D], without gradients (stage 2 keeps these fixed).</summary>
    public Tensor ClassTextFeatures(CsgnPromptBank bank, int batchSize = 64)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var device = prompt_rgb.parameters().First().device;
        var parts = new List<Tensor>();
        for (int start = 0; start < Classes; start += batchSize)
        {
            var labels = OwnedScalarMath.Arange(start, Math.Min(Classes, start + batchSize), ScalarType.Int64, device);
            parts.Add(TextFeatures(bank, labels));
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }
}
