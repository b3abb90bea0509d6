namespace ReId.Training.Augmentation;

/// <summary>Zero-pads by <c>padding</c> pixels on every side, then crops a random window of the original size (torchreid's Pad + RandomCrop).</summary>
public sealed class PadRandomCrop(int padding = 10) : IImageTransform
{
    public int Padding { get; } = padding >= 0 ? padding : throw new ArgumentOutOfRangeException(nameof(padding), padding, "Padding must be >= 0.");

    public ImageTensor Apply(ImageTensor image, Random rng)
    {
        if (Padding == 0)
        {
            return image;
        }

        int top = rng.Next(2 * Padding + 1);
        int left = rng.Next(2 * Padding + 1);
        return Crop(image, Padding, top, left);
    }

    /// <summary>The window starting at (<paramref name="top"/>, <paramref name="left"/>) of the image padded by <paramref name="padding"/>.</summary>
    internal static ImageTensor Crop(ImageTensor image, int padding, int top, int left)
    {
        int h = image.Height, w = image.Width;
        var result = new ImageTensor(h, w);
        // Window row y maps to source row y + top − padding; columns likewise; outside the source is zero padding.
        int dy = top - padding, dx = left - padding;
        int x0 = Math.Max(0, -dx), x1 = Math.Min(w, w - dx);
        for (int c = 0; c < 3; c++)
        {
            var src = image.Plane(c);
            var dst = result.Plane(c);
            for (int y = 0; y < h; y++)
            {
                int sy = y + dy;
                if (sy < 0 || sy >= h || x1 <= x0)
                {
                    continue;
                }

                src.Slice(sy * w + x0 + dx, x1 - x0).CopyTo(dst.Slice(y * w + x0, x1 - x0));
            }
        }

        return result;
    }
}
