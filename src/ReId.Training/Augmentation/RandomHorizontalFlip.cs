namespace ReId.Training.Augmentation;

/// <summary>Mirrors the image left–right with probability p.</summary>
public sealed class RandomHorizontalFlip(double probability = 0.5) : IImageTransform
{
    public double Probability { get; } = probability;

    public ImageTensor Apply(ImageTensor image, Random rng) => rng.NextDouble() < Probability ? Flip(image) : image;

    /// <summary>In-place mirror of every row.</summary>
    internal static ImageTensor Flip(ImageTensor image)
    {
        for (int c = 0; c < 3; c++)
        {
            var plane = image.Plane(c);
            for (int y = 0; y < image.Height; y++)
            {
                plane.Slice(y * image.Width, image.Width).Reverse();
            }
        }

        return image;
    }
}
