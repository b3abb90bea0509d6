using ReId.Training.Utils;
using ReId.Training.Losses;
using ReId.Training.Models.Heads;
using static TorchSharp.torch;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>
/// CLIP-SENet's objective: <c>w_ce · CE-LS(logits) + w_sc · SupCon(fused feature before BN, τ)</c>. SupCon reads the
/// feature before the neck's BN, where BoT puts its metric loss, and CE the classifier on the feature after it.
/// </summary>
public sealed class ClipSeNetLoss
{
    private readonly CrossEntropyLabelSmooth _ce;
    private readonly SupConLoss _supCon;

    /// <summary>Creates the objective.</summary>
    public ClipSeNetLoss(double crossEntropyWeight = 1, double supConWeight = 1, double temperature = 0.07, double labelSmoothing = 0.1, bool sameCameraPositives = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(crossEntropyWeight);
        ArgumentOutOfRangeException.ThrowIfNegative(supConWeight);
        if (crossEntropyWeight == 0 && supConWeight == 0)
            throw new ArgumentException("At least one of the cross-entropy and SupCon weights must be positive.", nameof(supConWeight));
        CrossEntropyWeight = crossEntropyWeight;
        SupConWeight = supConWeight;
        _ce = new CrossEntropyLabelSmooth(labelSmoothing);
        _supCon = new SupConLoss(temperature, sameCameraPositives);
    }

    /// <summary>Weight of the label-smoothed cross-entropy.</summary>
    public double CrossEntropyWeight { get; }

    /// <summary>Weight of SupCon.</summary>
    public double SupConWeight { get; }

    /// <summary>Total loss (owned by the caller) and the unweighted value of each active term ("ce", "supcon").</summary>
    public ReIdLossResult Compute(NeckOutput output, Tensor labels, Tensor? cameras)
    {
        using var scope = NewDisposeScope();
        var terms = new Dictionary<string, double>();
        Tensor? total = null;
        if (CrossEntropyWeight > 0)
        {
            if (output.Logits is null) throw new ArgumentException("Cross-entropy needs identity logits: the model has no classifier.", nameof(output));
            var ce = _ce.Forward(output.Logits, labels);
            terms["ce"] = ce.item<float>();
            total = ce.Mul(CrossEntropyWeight);
        }
        if (SupConWeight > 0)
        {
            var sc = _supCon.Forward(output.BeforeBn, labels, cameras);
            terms["supcon"] = sc.item<float>();
            total = total is null ? sc.Mul(SupConWeight) : total.Add(sc.Mul(SupConWeight));
        }
        return new ReIdLossResult(total!.MoveToOuterDisposeScope(), terms);
    }
}
