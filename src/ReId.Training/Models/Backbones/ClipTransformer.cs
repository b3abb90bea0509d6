using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>CLIP's stack of residual attention blocks (<c>resblocks.i</c>), batch-first [B, L, D].</summary>
public sealed class ClipTransformer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly ModuleList<ResidualAttentionBlock> resblocks;

    /// <summary>Creates <paramref name="layers"/> blocks.</summary>
    public ClipTransformer(int width, int layers, int heads) : base(nameof(ClipTransformer))
    {
        resblocks = new ModuleList<ResidualAttentionBlock>();
        for (int i = 0; i < layers; i++) resblocks.Add(new ResidualAttentionBlock(width, heads));
        RegisterComponents();
    }

    /// <summary>Number of blocks.</summary>
    public int Layers => resblocks.Count;

    /// <summary>x: [B, L, D]; mask: additive [L, L] or null (causal for the text encoder).</summary>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        var h = x.alias();
        foreach (var block in resblocks)
        {
            var next = block.forward(h, mask);
            h.Dispose();
            h = next;
        }
        return h;
    }

    /// <summary>Writes the blocks into an ONNX graph (an additive [L, L] mask initializer name, or null).</summary>
    internal string Export(OnnxExportContext ctx, string x, string prefix, string? causalMask)
    {
        for (int i = 0; i < resblocks.Count; i++)
            x = resblocks[i].Export(ctx, x, $"{prefix}.resblocks.{i}", causalMask);
        return x;
    }
}
