using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>Pre-norm transformer block of CLIP: x + attn(ln_1(x)), then x + mlp(ln_2(x)); LayerNorm eps 1e-5.</summary>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly ClipAttention attn;
    private readonly LayerNorm ln_2;
    private readonly ClipMlp mlp;

    /// <summary>Creates a block of <paramref name="width"/> channels and <paramref name="heads"/> heads.</summary>
    public ResidualAttentionBlock(int width, int heads, int mlpHidden = 0) : base(nameof(ResidualAttentionBlock))
    {
        ln_1 = nn.LayerNorm(width, eps: 1e-5);
        attn = new ClipAttention(width, heads);
        ln_2 = nn.LayerNorm(width, eps: 1e-5);
        mlp = new ClipMlp(width, mlpHidden);
        RegisterComponents();
    }

    /// <summary>x: [B, L, D]; mask: additive [L, L] or null.</summary>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        using var scope = torch.NewDisposeScope();
        var y = x.Add(attn.forward(ln_1.forward(x), mask));
        return y.Add(mlp.forward(ln_2.forward(y))).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the block into an ONNX graph.</summary>
    internal string Export(OnnxExportContext ctx, string x, string prefix, string? mask)
    {
        var g = ctx.Graph;
        string a = attn.Export(ctx, ctx.LayerNorm(x, prefix + ".ln_1", ln_1.weight!, ln_1.bias!, 1e-5f), prefix + ".attn", mask);
        x = g.Node("Add", [x, a]);
        string m = mlp.Export(ctx, ctx.LayerNorm(x, prefix + ".ln_2", ln_2.weight!, ln_2.bias!, 1e-5f), prefix + ".mlp");
        return g.Node("Add", [x, m]);
    }
}
