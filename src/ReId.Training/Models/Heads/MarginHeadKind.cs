namespace ReId.Training.Models.Heads;

/// <summary>Additive margin of a <see cref="MarginClassifier"/>.</summary>
public enum MarginHeadKind
{
    /// <summary>ArcFace: s·cos(θ + m) for the target class.</summary>
    ArcFace,
    /// <summary>CosFace: s·(cos θ − m) for the target class.</summary>
    CosFace,
}
