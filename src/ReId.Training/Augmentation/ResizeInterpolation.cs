namespace ReId.Training.Augmentation;

/// <summary>Resampling filter of the resize step.</summary>
public enum ResizeInterpolation
{
    Bilinear,
    Bicubic,
}
