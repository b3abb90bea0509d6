using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// Multi-head self-attention with CLIP's packed q,k,v projection (<c>in_proj_weight</c> [3D, D],
/// <c>in_proj_bias</c> [3D]) and <c>out_proj</c>, parameter names as in OpenAI's checkpoints.
/// </summary>
public sealed class ClipAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly int _heads;

    /// <summary>Creates the layer for <paramref name="width"/> channels split over <paramref name="heads"/> heads.</summary>
    public ClipAttention(int width, int heads) : base(nameof(ClipAttention))
    {
        if (heads <= 0 || width % heads != 0)
            throw new ArgumentException($"Width {width} is not divisible by {heads} heads.", nameof(heads));
        _heads = heads;
        in_proj_weight = new Parameter(torch.randn(3 * width, width).Mul((float)Math.Pow(width, -0.5)));
        in_proj_bias = new Parameter(torch.zeros(3 * width));
        out_proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Number of heads.</summary>
    public int Heads => _heads;

    /// <summary>x: [B, L, D]; mask: additive [L, L] (or null).</summary>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = x.shape[2];
        long hd = d / _heads;
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias)
            .reshape(b, l, 3, _heads, hd).permute(2, 0, 3, 1, 4);
        var scores = qkv[0].matmul(qkv[1].transpose(-2, -1)).Mul((float)(1.0 / Math.Sqrt(hd)));
        if (mask is not null) scores = scores.Add(mask);
        var o = scores.softmax(-1).matmul(qkv[2]).transpose(1, 2).reshape(b, l, d);
        return out_proj.forward(o).MoveToOuterDisposeScope();
    }

    /// <summary>Writes multi-head attention into an ONNX graph: x [B, L, D] → [B, L, D].</summary>
    internal string Export(OnnxExportContext ctx, string x, string prefix, string? mask)
    {
        var g = ctx.Graph;
        long d = in_proj_weight.shape[1], hd = d / _heads;
        string Head(int j, string name, long[] perm)
        {
            var y = ctx.Linear(x, $"{prefix}.{name}", in_proj_weight.narrow(0, j * d, d), in_proj_bias.narrow(0, j * d, d));
            y = g.Node("Reshape", [y, ctx.Ints(0, 0, _heads, hd)]);
            return g.Node("Transpose", [y], OnnxAttribute.Ints("perm", perm));
        }
        string q = Head(0, "q", [0, 2, 1, 3]);
        string kT = Head(1, "k", [0, 2, 3, 1]);
        string v = Head(2, "v", [0, 2, 1, 3]);
        string s = g.Node("Mul", [g.Node("MatMul", [q, kT]), ctx.Scalar((float)(1.0 / Math.Sqrt(hd)))]);
        if (mask is not null) s = g.Node("Add", [s, mask]);
        string o = g.Node("MatMul", [g.Node("Softmax", [s], OnnxAttribute.Int("axis", -1)), v]);
        o = g.Node("Reshape", [g.Node("Transpose", [o], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), ctx.Ints(0, 0, d)]);
        return ctx.Linear(o, prefix + ".out_proj", out_proj.weight!, out_proj.bias);
    }
}
