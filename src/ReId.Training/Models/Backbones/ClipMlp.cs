using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>CLIP's feed-forward block: <c>c_fc</c> → QuickGELU x·σ(1.702x) → <c>c_proj</c>.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly Linear c_proj;

    /// <summary>Creates the block with a hidden size of 4 × <paramref name="width"/> unless given.</summary>
    public ClipMlp(int width, int hidden = 0) : base(nameof(ClipMlp))
    {
        hidden = hidden > 0 ? hidden : 4 * width;
        c_fc = nn.Linear(width, hidden);
        c_proj = nn.Linear(hidden, width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var h = c_fc.forward(x);
        using var scaled = h.Mul(1.702f);
        using var s = torch.sigmoid(scaled);
        using var g = h * s;
        return c_proj.forward(g);
    }

    /// <summary>Writes the block into an ONNX graph.</summary>
    internal string Export(OnnxExportContext ctx, string x, string prefix) =>
        ctx.Linear(ctx.QuickGelu(ctx.Linear(x, prefix + ".c_fc", c_fc.weight!, c_fc.bias)), prefix + ".c_proj", c_proj.weight!, c_proj.bias);
}
