using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Heads;

/// <summary>
/// Generalised-mean pooling: (mean over H·W of clamp(x, eps)^p)^(1/p), with p learnable (3 by default).
/// p = 1 is average pooling; p → ∞ approaches max pooling.
/// </summary>
public sealed class GeMPooling : nn.Module<Tensor, Tensor>
{
    private readonly Parameter p;
    private readonly float _eps;

    /// <summary>Creates the layer with initial exponent <paramref name="initialP"/>.</summary>
    public GeMPooling(float initialP = 3f, float eps = 1e-6f, bool learnP = true) : base(nameof(GeMPooling))
    {
        if (initialP <= 0) throw new ArgumentOutOfRangeException(nameof(initialP), initialP, "GeM exponent must be positive.");
        p = new Parameter(torch.tensor(new[] { initialP }), requires_grad: learnP);
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>Epsilon the input is clamped to from below.</summary>
    public float Eps => _eps;

    /// <summary>Current exponent.</summary>
    public float P => p.item<float>();

    /// <summary>x: [B, C, H, W] → [B, C].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x.ClampMin(_eps).pow(p).mean([2, 3]).pow(p.reciprocal());
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Writes the pooling into an ONNX graph: [B, C, H, W] → [B, C].</summary>
    internal string Export(OnnxExportContext ctx, string x)
    {
        var g = ctx.Graph;
        float pv = P;
        string y = g.Node("Pow", [g.Node("Max", [x, ctx.Scalar(_eps)]), ctx.Scalar(pv)]);
        y = g.Node("ReduceMean", [y], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        return g.Node("Pow", [y, ctx.Scalar(1f / pv)]);
    }
}
