using System.ComponentModel;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's own settings (the "ccafl" options section; <c>--set ccafl.association-rate=1.3</c>). Defaults follow the
/// authors' released code for Market-1501 where it is explicit; docs/methods/ccafl.md lists where it is silent.
/// </summary>
public sealed class CcaflOptions : MethodOptions
{
    /// <inheritdoc/>
    public override string Key => "ccafl";

    [Description("Stage 1: learn a prompt per intra-camera identity (image↔text contrast inside each camera against frozen image features), then add the image-to-text terms; false = no text side at all")]
    public bool Prompts { get; set; } = true;

    [Description("Weight of ICDL's image-to-text cross-entropy against the text features of the image's own camera's identities (with prompts)")]
    public double I2tWeight { get; set; } = 1;

    [Description("Weight of the inter-camera phase's image-to-text cross-entropy against the associated pseudo identities' averaged text features (with prompts); 0 = off")]
    public double InterI2tWeight { get; set; } = 1;

    [Description("Softmax temperature of both image-to-text cross-entropies (cosine logits / temperature)")]
    public double I2tTemperature { get; set; } = 0.05;

    [Description("Intra-camera discriminative learning (centroid memory + hard-instance + intra-camera triplet); false = plain CE + triplet on the intra-camera labels (the baseline)")]
    public bool Icdl { get; set; } = true;

    [Description("Cross-camera association each epoch and inter-camera learning on the pseudo identities after intra-epochs")]
    public bool Association { get; set; } = true;

    [Description("Inter-camera adversarial learning (ICAL) in the epoch window [adversarial-start, adversarial-end)")]
    public bool Adversarial { get; set; } = true;

    [Description("Epochs of intra-camera learning before inter-camera learning starts (with association on)")]
    public int IntraEpochs { get; set; } = 5;

    [Description("Softmax temperature of the centroid memories (authors: 0.05)")]
    public double MemoryTemperature { get; set; } = 0.05;

    [Description("Weight of the old centroid in a memory update")]
    public double MemoryMomentum { get; set; } = 0.2;

    [Description("Weight of the centroid term in the intra-camera memory loss; the hard-instance term gets 1 minus it (authors: 0.6 on Market-1501)")]
    public double CentroidWeight { get; set; } = 0.6;

    [Description("Instance slots per identity in the intra-camera memory; 0 = images per identity (K)")]
    public int MemorySlots { get; set; }

    [Description("Cross-camera pairs considered per intra-camera identity (authors: 1.7 Market-1501, 1.3 MSMT17)")]
    public double AssociationRate { get; set; } = 1.7;

    [Description("ArcFace margin of the adversarial loss (authors: 0.7 Market-1501, 0.5 MSMT17)")]
    public double AdversarialMargin { get; set; } = 0.5;

    [Description("Share of the adversarial soft target spread over an identity and its cross-camera associates (authors: 0.8)")]
    public double AdversarialEpsilon { get; set; } = 0.8;

    [Description("Raise of the same-camera logits in the adversarial loss, (tau+1)·cos + tau (authors: 0.2)")]
    public double AdversarialTau { get; set; } = 0.2;

    [Description("Logit scale of the identity classifier and the adversarial loss (authors: 16)")]
    public double ClassifierScale { get; set; } = 16;

    [Description("First epoch (1-based) of the adversarial window")]
    public int AdversarialStart { get; set; } = 7;

    [Description("First epoch after the adversarial window")]
    public int AdversarialEnd { get; set; } = 11;

    [Description("Weight of the adversarial loss")]
    public double AdversarialWeight { get; set; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the key of a setting out of range.</summary>
    public override void Validate()
    {
        if (I2tWeight < 0 || InterI2tWeight < 0) throw new ArgumentException($"ccafl.i2t-weight ({I2tWeight}) and ccafl.inter-i2t-weight ({InterI2tWeight}) must be >= 0");
        if (I2tTemperature <= 0) throw new ArgumentException($"ccafl.i2t-temperature is {I2tTemperature}; expected > 0");
        if (MemoryTemperature <= 0) throw new ArgumentException($"ccafl.memory-temperature is {MemoryTemperature}; expected > 0");
        if (MemoryMomentum is < 0 or > 1) throw new ArgumentException($"ccafl.memory-momentum is {MemoryMomentum}; expected a value in [0, 1]");
        if (CentroidWeight is < 0 or > 1) throw new ArgumentException($"ccafl.centroid-weight is {CentroidWeight}; expected a value in [0, 1]");
        if (MemorySlots < 0) throw new ArgumentException($"ccafl.memory-slots is {MemorySlots}; expected 0 (= K) or more");
        if (AssociationRate < 0) throw new ArgumentException($"ccafl.association-rate is {AssociationRate}; expected >= 0");
        if (AdversarialEpsilon is < 0 or > 1) throw new ArgumentException($"ccafl.adversarial-epsilon is {AdversarialEpsilon}; expected a value in [0, 1]");
        if (AdversarialMargin < 0 || AdversarialTau < 0) throw new ArgumentException("ccafl.adversarial-margin and ccafl.adversarial-tau must be >= 0");
        if (ClassifierScale <= 0) throw new ArgumentException($"ccafl.classifier-scale is {ClassifierScale}; expected > 0");
        if (IntraEpochs < 0) throw new ArgumentException($"ccafl.intra-epochs is {IntraEpochs}; expected >= 0");
        if (AdversarialEnd < AdversarialStart) throw new ArgumentException($"ccafl.adversarial-end ({AdversarialEnd}) is before ccafl.adversarial-start ({AdversarialStart})");
        if (Adversarial && !Association) throw new ArgumentException("ccafl.adversarial needs ccafl.association (its positives are the associated identities)");
    }
}
