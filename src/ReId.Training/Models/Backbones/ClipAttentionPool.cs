using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// CLIP's attention pooling (<c>attnpool</c>): the feature map's mean is prepended as an extra token, positional
/// embeddings are added, and that mean token alone queries all tokens with multi-head attention; <c>c_proj</c> of
/// the result is the image embedding. Separate <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>c_proj</c> as in OpenAI's checkpoints.
/// </summary>
public sealed class ClipAttentionPool : nn.Module<Tensor, Tensor>
{
    private readonly Parameter positional_embedding;
    private readonly Linear q_proj, k_proj, v_proj, c_proj;
    private readonly int _heads;

    /// <summary>A pool over a <paramref name="gridHeight"/>×<paramref name="gridWidth"/> map of <paramref name="embedDim"/> channels.</summary>
    public ClipAttentionPool(int gridHeight, int gridWidth, int embedDim, int heads, int outputDim) : base(nameof(ClipAttentionPool))
    {
        if (gridHeight <= 0 || gridWidth <= 0)
            throw new ArgumentException($"Grid {gridHeight}x{gridWidth} must be positive.");
        if (heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"Width {embedDim} is not divisible by {heads} heads.", nameof(heads));
        GridHeight = gridHeight;
        GridWidth = gridWidth;
        _heads = heads;
        float std = (float)Math.Pow(embedDim, -0.5);
        positional_embedding = new Parameter(torch.randn(1 + (long)gridHeight * gridWidth, embedDim).Mul(std));
        q_proj = nn.Linear(embedDim, embedDim);
        k_proj = nn.Linear(embedDim, embedDim);
        v_proj = nn.Linear(embedDim, embedDim);
        c_proj = nn.Linear(embedDim, outputDim);
        // OpenAI's initialisation: keeps the attention logits of a fresh pool of order one.
        using (torch.no_grad())
            foreach (var l in new[] { q_proj, k_proj, v_proj, c_proj })
                nn.init.normal_(l.weight!, 0, std);
        RegisterComponents();
    }

    /// <summary>Rows of the feature map the positional embedding is sized for.</summary>
    public int GridHeight { get; }
    /// <summary>Columns of the feature map the positional embedding is sized for.</summary>
    public int GridWidth { get; }
    /// <summary>Number of heads.</summary>
    public int Heads => _heads;

    /// <summary>x: [B, C, H, W] with H×W the pool's grid → [B, outputDim].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[2] != GridHeight || x.shape[3] != GridWidth)
            throw new ArgumentException($"Attention pool expects a [B, C, {GridHeight}, {GridWidth}] feature map; got [{string.Join(",", x.shape)}].", nameof(x));
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], hd = c / _heads;
        var tokens = x.flatten(2).transpose(1, 2);                               // [B, HW, C]
        tokens = torch.cat([tokens.mean([1], keepdim: true), tokens], 1).Add(positional_embedding.unsqueeze(0));
        long l = tokens.shape[1];
        var q = q_proj.forward(tokens.narrow(1, 0, 1)).reshape(b, 1, _heads, hd).transpose(1, 2);   // [B, h, 1, hd]
        var k = k_proj.forward(tokens).reshape(b, l, _heads, hd).permute(0, 2, 3, 1);                // [B, h, hd, L]
        var v = v_proj.forward(tokens).reshape(b, l, _heads, hd).transpose(1, 2);                    // [B, h, L, hd]
        var attended = q.matmul(k).Mul((float)(1.0 / Math.Sqrt(hd))).softmax(-1).matmul(v);       // [B, h, 1, hd]
        return c_proj.forward(attended.reshape(b, c)).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the pool into an ONNX graph: [B, C, H, W] → [B, outputDim], weights named under <paramref name="prefix"/>.</summary>
    internal string Export(OnnxExportContext ctx, string x, string prefix)
    {
        var g = ctx.Graph;
        long c = positional_embedding.shape[1], hd = c / _heads;
        string tokens = g.Node("Transpose", [g.Node("Reshape", [x, ctx.Ints(0, c, -1)])], OnnxAttribute.Ints("perm", 0, 2, 1));
        string mean = g.Node("ReduceMean", [tokens], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        tokens = g.Node("Concat", [mean, tokens], OnnxAttribute.Int("axis", 1));
        tokens = g.Node("Add", [tokens, ctx.Weight(prefix + ".positional_embedding", positional_embedding.unsqueeze(0))]);
        string Heads(string input, Linear proj, string name, long[] perm)
        {
            var y = ctx.Linear(input, $"{prefix}.{name}", proj.weight!, proj.bias);
            return g.Node("Transpose", [g.Node("Reshape", [y, ctx.Ints(0, 0, _heads, hd)])], OnnxAttribute.Ints("perm", perm));
        }
        string query = g.Node("Gather", [tokens, g.Constant(new long[] { 0 }, 1)], OnnxAttribute.Int("axis", 1));   // [B, 1, C]
        string q = Heads(query, q_proj, "q_proj", [0, 2, 1, 3]);
        string kT = Heads(tokens, k_proj, "k_proj", [0, 2, 3, 1]);
        string v = Heads(tokens, v_proj, "v_proj", [0, 2, 1, 3]);
        string s = g.Node("Mul", [g.Node("MatMul", [q, kT]), ctx.Scalar((float)(1.0 / Math.Sqrt(hd)))]);
        string o = g.Node("MatMul", [g.Node("Softmax", [s], OnnxAttribute.Int("axis", -1)), v]);         // [B, h, 1, hd]
        o = g.Node("Reshape", [o, ctx.Ints(0, c)]);
        return ctx.Linear(o, prefix + ".c_proj", c_proj.weight!, c_proj.bias);
    }
}
