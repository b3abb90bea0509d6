using ReId.Training.Utils;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// CSGN's Visual Semantic Steering as we build it: the ResNet's global feature r (local texture and body shape) and the
/// ViT's class token v (global semantics) are combined into one feature f in the text space (the ViT projection's space,
/// where the prompt banks live). <see cref="CsgnFusion.Concat"/>: f = p + W·[LN(r); LN(v)] + b;
/// <see cref="CsgnFusion.Steer"/>: f = p ⊙ 2σ(G·LN(r) + c). p is the ViT's projection. W, b, G, c start at zero, so f
/// starts as p — the CLIP feature the prompts were learnt against in stage 1 — and the ResNet's contribution is learnt.
/// The LayerNorms put both encoders on one scale (ResNet features are post-ReLU averages, ViT tokens are layer-normed).
/// </summary>
public sealed class VisualSemanticSteering : nn.Module
{
    private readonly LayerNorm ln_resnet;
    private readonly LayerNorm? ln_vit;
    private readonly Linear mix;

    /// <summary>A fusion of <paramref name="resnetSize"/>- and <paramref name="vitSize"/>-dimensional features into <paramref name="outputSize"/> (the ViT projection's size).</summary>
    public VisualSemanticSteering(int resnetSize, int vitSize, int outputSize, CsgnFusion fusion) : base(nameof(VisualSemanticSteering))
    {
        if (fusion == CsgnFusion.None) throw new ArgumentException("A fusion module needs concat or steer.", nameof(fusion));
        ArgumentOutOfRangeException.ThrowIfLessThan(resnetSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(vitSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        Fusion = fusion;
        OutputSize = outputSize;
        ln_resnet = nn.LayerNorm(resnetSize, eps: 1e-5);
        if (fusion == CsgnFusion.Concat) ln_vit = nn.LayerNorm(vitSize, eps: 1e-5);
        mix = nn.Linear(fusion == CsgnFusion.Concat ? resnetSize + vitSize : resnetSize, outputSize);
        using (torch.no_grad())
        {
            mix.weight!.zero_();
            mix.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>The combination rule.</summary>
    public CsgnFusion Fusion { get; }

    /// <summary>Size of the fused feature.</summary>
    public int OutputSize { get; }

    /// <summary>ResNet feature r [B, Cr], ViT class token v [B, Cv] and ViT projection p [B, D] → fused feature [B, D].</summary>
    public Tensor Fuse(Tensor resnet, Tensor vit, Tensor vitProjected)
    {
        using var scope = NewDisposeScope();
        var r = ln_resnet.forward(resnet);
        var f = Fusion == CsgnFusion.Concat
            ? vitProjected.Add(mix.forward(torch.cat([r, ln_vit!.forward(vit)], 1)))
            : vitProjected * torch.sigmoid(mix.forward(r)).Mul(2);
        return f.MoveToOuterDisposeScope();
    }

    /// <summary>Writes <see cref="Fuse"/> into an ONNX graph.</summary>
    public string Export(OnnxExportContext ctx, string resnet, string vit, string vitProjected)
    {
        var g = ctx.Graph;
        string r = ctx.LayerNorm(resnet, "vss.ln_resnet", ln_resnet.weight!, ln_resnet.bias!, 1e-5f);
        if (Fusion == CsgnFusion.Concat)
        {
            string v = ctx.LayerNorm(vit, "vss.ln_vit", ln_vit!.weight!, ln_vit.bias!, 1e-5f);
            string both = g.Node("Concat", [r, v], OnnxAttribute.Int("axis", 1));
            return g.Node("Add", [vitProjected, ctx.Linear(both, "vss.mix", mix.weight!, mix.bias)]);
        }
        string gate = g.Node("Mul", [g.Node("Sigmoid", [ctx.Linear(r, "vss.mix", mix.weight!, mix.bias)]), ctx.Scalar(2f)]);
        return g.Node("Mul", [vitProjected, gate]);
    }
}
