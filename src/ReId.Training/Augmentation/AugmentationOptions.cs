namespace ReId.Training.Augmentation;

/// <summary>Settings of <see cref="AugmentationPipeline"/>; defaults are the bag-of-tricks training transforms at 256×128.</summary>
public sealed class AugmentationOptions
{
    public int Height { get; set; } = 256;
    public int Width { get; set; } = 128;
    public ResizeInterpolation Interpolation { get; set; } = ResizeInterpolation.Bilinear;
    public double FlipProbability { get; set; } = 0.5;
    public int Padding { get; set; } = 10;
    public double ColorJitterProbability { get; set; }
    public double Brightness { get; set; } = 0.2;
    public double Contrast { get; set; } = 0.15;
    public double Saturation { get; set; }
    public double Hue { get; set; }
    public double GrayscaleProbability { get; set; }
    public double ErasingProbability { get; set; } = 0.5;
    public ErasingFill ErasingFill { get; set; } = ErasingFill.ChannelMean;
    /// <summary>"imagenet", "clip" or "half".</summary>
    public string Normalization { get; set; } = "imagenet";
}
