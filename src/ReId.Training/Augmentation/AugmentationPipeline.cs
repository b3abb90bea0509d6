namespace ReId.Training.Augmentation;

/// <summary>
/// The training transforms in torchreid's order: flip, pad + random crop, colour jitter, grayscale, normalise, random
/// erasing — on an image already decoded and resized. <see cref="ForEvaluation"/> keeps only the normalisation.
/// </summary>
public sealed class AugmentationPipeline
{
    public AugmentationPipeline(IReadOnlyList<IImageTransform> transforms, int height, int width, ResizeInterpolation interpolation = ResizeInterpolation.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Transforms = transforms;
        Height = height;
        Width = width;
        Interpolation = interpolation;
    }

    public IReadOnlyList<IImageTransform> Transforms { get; }
    public int Height { get; }
    public int Width { get; }
    public ResizeInterpolation Interpolation { get; }

    /// <summary>Floats per image (3·H·W).</summary>
    public int ImageSize => 3 * Height * Width;

    public static AugmentationPipeline ForTraining(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var normalization = Normalization.FromName(options.Normalization);
        var list = new List<IImageTransform>();
        if (options.FlipProbability > 0)
        {
            list.Add(new RandomHorizontalFlip(options.FlipProbability));
        }

        if (options.Padding > 0)
        {
            list.Add(new PadRandomCrop(options.Padding));
        }

        if (options.ColorJitterProbability > 0)
        {
            list.Add(new ColorJitter(options.Brightness, options.Contrast, options.Saturation, options.Hue, options.ColorJitterProbability));
        }

        if (options.GrayscaleProbability > 0)
        {
            list.Add(new RandomGrayscale(options.GrayscaleProbability));
        }

        list.Add(normalization);
        if (options.ErasingProbability > 0)
        {
            list.Add(new RandomErasing(options.ErasingProbability, fill: options.ErasingFill));
        }

        return new AugmentationPipeline(list, options.Height, options.Width, options.Interpolation);
    }

    public static AugmentationPipeline ForEvaluation(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AugmentationPipeline([Normalization.FromName(options.Normalization)], options.Height, options.Width, options.Interpolation);
    }

    /// <summary>Runs every transform on resized RGB bytes and writes the CHW floats to <paramref name="destination"/>.</summary>
    public void Process(ReadOnlySpan<byte> resizedRgb, Random rng, Span<float> destination)
    {
        var image = ImageTensor.FromRgb(resizedRgb, Height, Width);
        foreach (var transform in Transforms)
        {
            image = transform.Apply(image, rng);
        }

        image.Data.AsSpan().CopyTo(destination);
    }
}
