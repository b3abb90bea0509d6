namespace ReId.Training.Augmentation;

/// <summary>
/// With probability p, random brightness, contrast, saturation (factors in [1 − x, 1 + x]) and hue (shift in [−h, h]
/// of a full turn, as a rotation of the YIQ chroma plane) in this fixed order, on [0, 1] images, clamped to [0, 1].
/// </summary>
public sealed class ColorJitter(double brightness = 0.2, double contrast = 0.15, double saturation = 0, double hue = 0, double probability = 1) : IImageTransform
{
    public double Brightness { get; } = brightness;
    public double Contrast { get; } = contrast;
    public double Saturation { get; } = saturation;
    public double Hue { get; } = hue;
    public double Probability { get; } = probability;

    public ImageTensor Apply(ImageTensor image, Random rng)
    {
        if (rng.NextDouble() >= Probability)
        {
            return image;
        }

        float b = Factor(Brightness, rng), c = Factor(Contrast, rng), s = Factor(Saturation, rng);
        float h = (float)((rng.NextDouble() * 2 - 1) * Hue);
        return Adjust(image, b, c, s, h);
    }

    /// <summary>Applies the given factors (1 = unchanged) and hue shift (fraction of a turn).</summary>
    internal static ImageTensor Adjust(ImageTensor image, float brightness, float contrast, float saturation, float hue)
    {
        var r = image.Plane(0);
        var g = image.Plane(1);
        var bl = image.Plane(2);
        int n = r.Length;
        double meanGray = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] = Math.Clamp(r[i] * brightness, 0, 1);
            g[i] = Math.Clamp(g[i] * brightness, 0, 1);
            bl[i] = Math.Clamp(bl[i] * brightness, 0, 1);
            meanGray += 0.299f * r[i] + 0.587f * g[i] + 0.114f * bl[i];
        }

        float m = (float)(meanGray / n);
        float cos = MathF.Cos(2 * MathF.PI * hue), sin = MathF.Sin(2 * MathF.PI * hue);
        for (int i = 0; i < n; i++)
        {
            // Contrast blends with the mean grey level, saturation with the pixel's own grey (torchvision's definitions).
            float rr = Math.Clamp(m + (r[i] - m) * contrast, 0, 1);
            float gg = Math.Clamp(m + (g[i] - m) * contrast, 0, 1);
            float bb = Math.Clamp(m + (bl[i] - m) * contrast, 0, 1);
            float y = 0.299f * rr + 0.587f * gg + 0.114f * bb;
            rr = Math.Clamp(y + (rr - y) * saturation, 0, 1);
            gg = Math.Clamp(y + (gg - y) * saturation, 0, 1);
            bb = Math.Clamp(y + (bb - y) * saturation, 0, 1);
            if (hue != 0)
            {
                float yy = 0.299f * rr + 0.587f * gg + 0.114f * bb;
                float ci = 0.596f * rr - 0.274f * gg - 0.322f * bb;
                float cq = 0.211f * rr - 0.523f * gg + 0.312f * bb;
                float i2 = ci * cos - cq * sin, q2 = ci * sin + cq * cos;
                rr = Math.Clamp(yy + 0.956f * i2 + 0.621f * q2, 0, 1);
                gg = Math.Clamp(yy - 0.272f * i2 - 0.647f * q2, 0, 1);
                bb = Math.Clamp(yy - 1.106f * i2 + 1.703f * q2, 0, 1);
            }

            r[i] = rr;
            g[i] = gg;
            bl[i] = bb;
        }

        return image;
    }

    private static float Factor(double range, Random rng) => range <= 0 ? 1 : (float)(1 - range + rng.NextDouble() * 2 * range);
}
