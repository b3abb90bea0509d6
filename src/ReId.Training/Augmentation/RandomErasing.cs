namespace ReId.Training.Augmentation;

/// <summary>
/// Random erasing (Zhong et al., torchreid's version): with probability p, up to 100 attempts pick an area fraction
/// in [areaMin, areaMax] and an aspect ratio in [aspectMin, 1/aspectMin]; the first rectangle that fits is filled.
/// Applied after normalisation, as in torchreid and the bag of tricks.
/// </summary>
public sealed class RandomErasing : IImageTransform
{
    private readonly float[] _mean;

    public RandomErasing(double probability = 0.5, double areaMin = 0.02, double areaMax = 0.4, double aspectMin = 0.3,
        ErasingFill fill = ErasingFill.ChannelMean, IReadOnlyList<float>? mean = null)
    {
        if (areaMin <= 0 || areaMax < areaMin || areaMax > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(areaMin), $"Area range [{areaMin}, {areaMax}] must satisfy 0 < min <= max <= 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(aspectMin);
        Probability = probability;
        AreaMin = areaMin;
        AreaMax = areaMax;
        AspectMin = aspectMin;
        Fill = fill;
        _mean = mean is null ? [0.4914f, 0.4822f, 0.4465f] : [.. mean];
        if (_mean.Length != 3)
        {
            throw new ArgumentException($"Erasing mean has {_mean.Length} values; expected 3.", nameof(mean));
        }
    }

    public double Probability { get; }
    public double AreaMin { get; }
    public double AreaMax { get; }
    public double AspectMin { get; }
    public ErasingFill Fill { get; }

    public ImageTensor Apply(ImageTensor image, Random rng)
    {
        if (rng.NextDouble() >= Probability)
        {
            return image;
        }

        double total = image.Height * image.Width;
        double aspectMax = 1 / AspectMin;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            double area = total * (AreaMin + rng.NextDouble() * (AreaMax - AreaMin));
            double aspect = AspectMin + rng.NextDouble() * (aspectMax - AspectMin);
            int h = (int)Math.Round(Math.Sqrt(area * aspect));
            int w = (int)Math.Round(Math.Sqrt(area / aspect));
            if (h < image.Height && w < image.Width && h > 0 && w > 0)
            {
                int top = rng.Next(image.Height - h + 1);
                int left = rng.Next(image.Width - w + 1);
                if (Fill == ErasingFill.ChannelMean)
                {
                    Erase(image, top, left, h, w, _mean);
                }
                else
                {
                    EraseRandom(image, top, left, h, w, rng);
                }

                return image;
            }
        }

        return image;
    }

    /// <summary>Fills the rectangle with one value per channel.</summary>
    internal static void Erase(ImageTensor image, int top, int left, int height, int width, IReadOnlyList<float> values)
    {
        for (int c = 0; c < 3; c++)
        {
            var plane = image.Plane(c);
            for (int y = top; y < top + height; y++)
            {
                plane.Slice(y * image.Width + left, width).Fill(values[c]);
            }
        }
    }

    private static void EraseRandom(ImageTensor image, int top, int left, int height, int width, Random rng)
    {
        for (int c = 0; c < 3; c++)
        {
            var plane = image.Plane(c);
            for (int y = top; y < top + height; y++)
            {
                var row = plane.Slice(y * image.Width + left, width);
                for (int x = 0; x < row.Length; x++)
                {
                    row[x] = rng.NextSingle();
                }
            }
        }
    }
}
