namespace ReId.Training.Augmentation;

/// <summary>With probability p, replaces every channel by the luma 0.299·R + 0.587·G + 0.114·B (torchvision's weights).</summary>
public sealed class RandomGrayscale(double probability) : IImageTransform
{
    public double Probability { get; } = probability;

    public ImageTensor Apply(ImageTensor image, Random rng) => rng.NextDouble() < Probability ? ToGray(image) : image;

    internal static ImageTensor ToGray(ImageTensor image)
    {
        var r = image.Plane(0);
        var g = image.Plane(1);
        var b = image.Plane(2);
        for (int i = 0; i < r.Length; i++)
        {
            float y = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
            r[i] = g[i] = b[i] = y;
        }

        return image;
    }
}
