namespace ReId.Training.Models.Heads;

/// <summary>
/// The two readings of CLIP-SENet's AFEM equation "each group re-weighted by learnt weights": one scalar per group, or
/// one small linear map per group. See <see cref="AdaptiveFineGrainedEnhancement"/> for the default and why.
/// </summary>
public enum AfemMode
{
    /// <summary>Each group of the activated semantic vector is multiplied by its own learnt scalar (G parameters).</summary>
    GroupGate,

    /// <summary>Each group goes through its own learnt linear map, (D/G)×(D/G) weights plus a bias (D²/G + D parameters).</summary>
    GroupLinear,
}
