using ReId.Training.Models.Backbones;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Text;

/// <summary>
/// CLIP text encoder with OpenAI parameter names (token_embedding, positional_embedding,
/// transformer.resblocks.i, ln_final, text_projection). <c>forward</c> maps token ids [B, L] to the
/// projected feature at the end-of-text token (the position of the largest id, CLIP's rule).
/// <see cref="EmbedTokens"/> and <see cref="EncodeEmbeddings"/> split that in two so learnt prompt
/// vectors can be put in place of word embeddings (CLIP-ReID's prompt learning).
/// </summary>
public sealed class ClipTextTransformer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Embedding token_embedding;
    private readonly Parameter positional_embedding;
    private readonly ClipTransformer transformer;
    private readonly LayerNorm ln_final;
    private readonly Parameter? text_projection;

    /// <summary>Creates a randomly initialised encoder (CLIP's initial scales).</summary>
    public ClipTextTransformer(ClipTextOptions options) : base(nameof(ClipTextTransformer))
    {
        options.Validate();
        Options = options;
        int w = options.Width;
        token_embedding = nn.Embedding(options.VocabSize, w);
        using (torch.no_grad()) nn.init.normal_(token_embedding.weight!, std: 0.02);
        positional_embedding = new Parameter(torch.randn(options.ContextLength, w).Mul(0.01f));
        transformer = new ClipTransformer(w, options.Layers, options.EffectiveHeads);
        ln_final = nn.LayerNorm(w, eps: 1e-5);
        if (options.OutputDim > 0)
            text_projection = new Parameter(torch.randn(w, options.OutputDim).Mul((float)Math.Pow(w, -0.5)));
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public ClipTextOptions Options { get; }

    /// <summary>Size of the output feature (width when there is no projection).</summary>
    public int EmbeddingSize => Options.OutputDim > 0 ? Options.OutputDim : Options.Width;

    /// <summary>Token ids [B, L] (int64, L ≤ context length, end-of-text = largest id in a row) → text features [B, out].</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        var x = EmbedTokens(ids);
        var eot = ids.argmax(-1);
        return EncodeEmbeddings(x, eot).MoveToOuterDisposeScope();
    }

    /// <summary>Token ids [B, L] → word embeddings [B, L, width] (no positional embedding yet).</summary>
    public Tensor EmbedTokens(Tensor ids)
    {
        if (ids.dim() != 2)
            throw new ArgumentException($"Token ids must be [batch, length]; got [{string.Join(",", ids.shape)}].", nameof(ids));
        if (ids.shape[1] > Options.ContextLength)
            throw new ArgumentException($"{ids.shape[1]} tokens exceed the context length {Options.ContextLength}.", nameof(ids));
        if (ids.dtype != ScalarType.Int64)
        {
            using var cast = ids.to(ScalarType.Int64);
            return token_embedding.forward(cast);
        }
        return token_embedding.forward(ids);
    }

    /// <summary>
    /// Embedded tokens [B, L, width] (word embeddings, some possibly learnt) and the end-of-text position of
    /// each row [B] (int64) → text features [B, out]: adds the positional embedding, runs the causally masked
    /// transformer, applies ln_final at the end-of-text token and projects it.
    /// </summary>
    public Tensor EncodeEmbeddings(Tensor tokenEmbeddings, Tensor eotIndex)
    {
        if (tokenEmbeddings.dim() != 3 || tokenEmbeddings.shape[2] != Options.Width)
            throw new ArgumentException($"Token embeddings must be [batch, length, {Options.Width}]; got [{string.Join(",", tokenEmbeddings.shape)}].", nameof(tokenEmbeddings));
        long b = tokenEmbeddings.shape[0], l = tokenEmbeddings.shape[1];
        if (l > Options.ContextLength)
            throw new ArgumentException($"{l} tokens exceed the context length {Options.ContextLength}.", nameof(tokenEmbeddings));
        if (eotIndex.dim() != 1 || eotIndex.shape[0] != b)
            throw new ArgumentException($"The end-of-text index must be [{b}]; got [{string.Join(",", eotIndex.shape)}].", nameof(eotIndex));

        using var scope = torch.NewDisposeScope();
        var x = tokenEmbeddings.Add(positional_embedding.narrow(0, 0, l));
        // Causal masking makes a shorter sequence give the same features as one padded to the context length.
        x = transformer.forward(x, CausalMask(l, x.dtype, x.device));
        var index = eotIndex.to(ScalarType.Int64, x.device).reshape(b, 1, 1).expand(b, 1, Options.Width);
        // LayerNorm acts on each token alone, so normalising only the gathered token equals CLIP's order.
        var eot = ln_final.forward(x.gather(1, index).squeeze(1));
        var y = text_projection is null ? eot : eot.matmul(text_projection);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Writes the encoder into an ONNX graph: int64 token ids [batch, context] → features [batch, out].
    /// The end-of-text position is ArgMax of the ids, as in <c>forward</c>.
    /// </summary>
    public string Export(OnnxExportContext ctx, string input)
    {
        var g = ctx.Graph;
        int l = Options.ContextLength;
        string x = g.Node("Gather", [ctx.Weight("token_embedding.weight", token_embedding.weight!), input], OnnxAttribute.Int("axis", 0));
        x = g.Node("Add", [x, ctx.Weight("positional_embedding", positional_embedding)]);
        string mask = g.AddInitializer(g.UniqueName("attn_mask"), CausalMaskValues(l), l, l);
        x = transformer.Export(ctx, x, "transformer", mask);
        // ONNX Runtime's CPU ArgMax has no int64 kernel; ids are far below 2^31, so int32 is exact.
        string ids32 = g.Node("Cast", [input], OnnxAttribute.Int("to", (long)OnnxElementType.Int32));
        string eot = g.Node("ArgMax", [ids32], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1));
        x = g.Node("GatherND", [x, eot], OnnxAttribute.Int("batch_dims", 1));
        x = ctx.LayerNorm(x, "ln_final", ln_final.weight!, ln_final.bias!, 1e-5f);
        return text_projection is null ? x : g.Node("MatMul", [x, ctx.Weight("text_projection", text_projection)]);
    }

    /// <summary>Additive causal mask [L, L]: 0 on and below the diagonal, −∞ above (as OpenAI's build_attention_mask).</summary>
    internal static Tensor CausalMask(long length, ScalarType dtype, Device device) =>
        OwnedScalarMath.Full([length, length], float.NegativeInfinity, dtype, device).triu(1);

    private static float[] CausalMaskValues(int length)
    {
        var values = new float[length * length];
        for (int i = 0; i < length; i++)
            for (int j = i + 1; j < length; j++)
                values[i * length + j] = float.NegativeInfinity;
        return values;
    }
}
