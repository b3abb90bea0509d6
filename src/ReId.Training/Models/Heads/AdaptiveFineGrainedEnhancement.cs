using ReId.Training.Models.Backbones;
using ReId.Training.Utils;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Heads;

/// <summary>
/// CLIP-SENet's Adaptive Fine-grained Enhancement Module: <c>y = s + concat_g(R_g(h_g))</c> with
/// <c>h = ReLU(BN(s))</c> split into G equal groups <c>h_g</c> and <c>R_g</c> the learnt re-weighting of group g —
/// a scalar gate or a per-group linear map (<see cref="AfemMode"/>).
/// </summary>
/// <remarks>
/// The default is <see cref="AfemMode.GroupLinear"/>. In this project the enhanced vector is concatenated with the
/// appearance feature and passed through a BatchNorm (the fusion neck), which already applies a learnt scale to every
/// dimension; a per-group scalar gate can then only change the balance between the raw vector and its rectified copy,
/// so it adds almost nothing the neck cannot do. A per-group linear map can mix the dimensions inside a group (suppress
/// one attribute in favour of a related one), which is what "fine-grained enhancement" asks for, and it explains why the
/// paper finds an interior optimum for G (G trades mixing width D/G against parameter count D²/G), whereas more scalar
/// gates are only ever more expressive. Both start as the same function: gates at 1, maps at the identity with zero
/// bias, so <c>y = s + ReLU(BN(s))</c> at initialisation whichever reading is chosen.
/// </remarks>
public sealed class AdaptiveFineGrainedEnhancement : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ScalarSafeBatchNorm norm;
    private readonly Parameter weight;
    private readonly Parameter? bias;

    /// <summary>Creates the module for <paramref name="features"/>-dimensional vectors split into <paramref name="groups"/> groups.</summary>
    public AdaptiveFineGrainedEnhancement(int features, int groups = 32, AfemMode mode = AfemMode.GroupLinear) : base(nameof(AdaptiveFineGrainedEnhancement))
    {
        if (groups < 1 || features < 1 || features % groups != 0)
            throw new ArgumentException($"AFEM groups {groups} must be positive and divide the semantic vector size {features}.", nameof(groups));
        Features = features;
        Groups = groups;
        Mode = mode;
        norm = ScalarSafeBatchNorm.For1d(features);
        int width = features / groups;
        weight = mode == AfemMode.GroupGate
            ? new Parameter(ones(groups))
            : new Parameter(eye(width).unsqueeze(0).repeat(groups, 1, 1));
        if (mode == AfemMode.GroupLinear) bias = new Parameter(zeros(groups, width));
        RegisterComponents();
    }

    /// <summary>Size of the input and output vectors.</summary>
    public int Features { get; }

    /// <summary>Number of groups G.</summary>
    public int Groups { get; }

    /// <summary>Which reading of the re-weighting this module implements.</summary>
    public AfemMode Mode { get; }

    /// <summary>The BatchNorm on the semantic vector (tests set its statistics).</summary>
    internal ScalarSafeBatchNorm Norm => norm;

    /// <summary>Gate: [G]; linear: [G, D/G (out), D/G (in)].</summary>
    internal Parameter Weight => weight;

    /// <summary>Linear: [G, D/G]; gate: null.</summary>
    internal Parameter? Bias => bias;

    /// <summary>s: [B, D] → [B, D].</summary>
    public override Tensor forward(Tensor s)
    {
        using var scope = NewDisposeScope();
        long batch = s.shape[0];
        var h = nn.functional.relu(norm.forward(s)).view(batch, Groups, Features / Groups);
        var r = Mode == AfemMode.GroupGate
            ? h * weight.view(1, Groups, 1)
            : einsum("bgi,goi->bgo", h, weight).Add(bias!);
        return s.Add(r.reshape(batch, Features)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Writes the module into an ONNX graph. BN is folded into a scale and shift; the grouped re-weighting becomes one
    /// per-dimension multiplication (gate) or one block-diagonal matrix product (linear), both exactly the grouped form.
    /// </summary>
    public string Export(OnnxExportContext ctx, string input)
    {
        var g = ctx.Graph;
        using var scope = NewDisposeScope();
        var scale = norm.weight! / norm.running_var!.Add(norm.eps).sqrt();
        var shift = norm.bias! - norm.running_mean! * scale;
        string h = g.Node("Relu", [g.Node("Add", [g.Node("Mul", [input, ctx.Weight("afem.bn_scale", scale)]), ctx.Weight("afem.bn_shift", shift)])]);
        int width = Features / Groups;
        string r;
        if (Mode == AfemMode.GroupGate)
        {
            r = g.Node("Mul", [h, ctx.Weight("afem.gate", weight.detach().repeat_interleave(width))]);
        }
        else
        {
            // Block-diagonal Wᵀ: row block g, column block g holds W_gᵀ so that h @ M applies W_g to group g.
            var blocks = zeros(Features, Features);
            for (int i = 0; i < Groups; i++)
                blocks[TensorIndex.Slice(i * width, (i + 1) * width), TensorIndex.Slice(i * width, (i + 1) * width)] = weight[i].detach().t();
            r = g.Node("Add", [g.Node("MatMul", [h, ctx.Weight("afem.linear_t", blocks)]), ctx.Weight("afem.bias", bias!.detach().reshape(Features))]);
        }
        return g.Node("Add", [input, r]);
    }
}
