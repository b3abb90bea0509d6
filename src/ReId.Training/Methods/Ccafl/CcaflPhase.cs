namespace ReId.Training.Methods.Ccafl;

/// <summary>What CCAFL optimises in an epoch.</summary>
public enum CcaflPhase
{
    /// <summary>Plain CE + batch-hard triplet on the intra-camera labels (ICDL off: the ablation's baseline).</summary>
    Baseline,
    /// <summary>ICDL: per-camera centroid memory, hard instances and triplet inside each camera.</summary>
    IntraCamera,
    /// <summary>Inter-camera learning on the associated pseudo identities (memory + triplet), ICAL inside its window.</summary>
    InterCamera,
}
