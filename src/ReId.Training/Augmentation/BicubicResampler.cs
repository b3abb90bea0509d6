namespace ReId.Training.Augmentation;

/// <summary>
/// Bicubic resize of interleaved 8-bit RGB exactly as Pillow does it (what CLIP's and CLIP-ReID's preprocessing run):
/// Keys cubic with a = −0.5, the kernel widened by the scale when shrinking (antialiasing), coefficients normalised
/// and rounded to 22-bit fixed point, a horizontal pass then a vertical pass with 8-bit rounding in between.
/// </summary>
public static class BicubicResampler
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const double Support = 2.0;

    /// <summary>Resizes <paramref name="rgb"/> (HWC, <paramref name="height"/>×<paramref name="width"/>) to the new size.</summary>
    public static byte[] Resize(ReadOnlySpan<byte> rgb, int height, int width, int newHeight, int newWidth)
    {
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"Expected {height}×{width}×3 bytes, got {rgb.Length}.", nameof(rgb));
        ArgumentOutOfRangeException.ThrowIfLessThan(newHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(newWidth, 1);
        byte[] horizontal = width == newWidth ? rgb.ToArray() : Horizontal(rgb, height, width, newWidth);
        return height == newHeight ? horizontal : Vertical(horizontal, height, newWidth, newHeight);
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>For each output position: first input index, tap count and fixed-point weights (Pillow's precompute_coeffs).</summary>
    private static (int[] Start, int[] Count, int[] Weights, int KernelSize) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support * filterScale;
        int kernel = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * kernel];
        var k = new double[kernel];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize) - min;
            double sum = 0;
            for (int i = 0; i < max; i++)
            {
                k[i] = Cubic((i + min - center + 0.5) / filterScale);
                sum += k[i];
            }
            for (int i = 0; i < max; i++)
            {
                double w = sum != 0 ? k[i] / sum : k[i];
                weights[o * kernel + i] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            start[o] = min;
            count[o] = max;
        }
        return (start, count, weights, kernel);
    }

    private static byte Clip8(int value)
    {
        int v = value >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    private static byte[] Horizontal(ReadOnlySpan<byte> src, int height, int width, int newWidth)
    {
        var (start, count, weights, kernel) = Coefficients(width, newWidth);
        var dst = new byte[height * newWidth * 3];
        for (int y = 0; y < height; y++)
        {
            var row = src.Slice(y * width * 3, width * 3);
            for (int o = 0; o < newWidth; o++)
            {
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int i = 0, p = start[o] * 3; i < count[o]; i++, p += 3)
                {
                    int w = weights[o * kernel + i];
                    r += row[p] * w;
                    g += row[p + 1] * w;
                    b += row[p + 2] * w;
                }
                int d = (y * newWidth + o) * 3;
                dst[d] = Clip8(r);
                dst[d + 1] = Clip8(g);
                dst[d + 2] = Clip8(b);
            }
        }
        return dst;
    }

    private static byte[] Vertical(byte[] src, int height, int width, int newHeight)
    {
        var (start, count, weights, kernel) = Coefficients(height, newHeight);
        int stride = width * 3;
        var dst = new byte[newHeight * stride];
        for (int o = 0; o < newHeight; o++)
        {
            for (int x = 0; x < stride; x++)
            {
                int acc = 1 << (PrecisionBits - 1);
                for (int i = 0; i < count[o]; i++)
                    acc += src[(start[o] + i) * stride + x] * weights[o * kernel + i];
                dst[o * stride + x] = Clip8(acc);
            }
        }
        return dst;
    }
}
