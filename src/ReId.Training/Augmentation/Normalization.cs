using ReId.MLNet.Pipelines;

namespace ReId.Training.Augmentation;

/// <summary>Per-channel <c>(x − mean) / std</c> on [0, 1] images, with the usual presets.</summary>
public sealed class Normalization : IImageTransform
{
    public Normalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count != 3 || std.Count != 3 || std.Any(s => s <= 0))
        {
            throw new ArgumentException("Normalisation needs 3 means and 3 positive standard deviations.", nameof(std));
        }

        Mean = [.. mean];
        Std = [.. std];
    }

    public float[] Mean { get; }
    public float[] Std { get; }

    public static Normalization ImageNet => new(ChannelStatistics.ImageNetMean.ToArray(), ChannelStatistics.ImageNetStd.ToArray());
    public static Normalization Clip => new(ChannelStatistics.ClipMean.ToArray(), ChannelStatistics.ClipStd.ToArray());
    public static Normalization Half => new([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);

    /// <summary>"imagenet", "clip" or "half" (mean = std = 0.5).</summary>
    public static Normalization FromName(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "imagenet" => ImageNet,
        "clip" => Clip,
        "half" or "0.5" => Half,
        _ => throw new ArgumentException($"Unknown normalisation '{name}'; expected imagenet, clip or half.", nameof(name)),
    };

    public ImageTensor Apply(ImageTensor image, Random rng)
    {
        for (int c = 0; c < 3; c++)
        {
            var plane = image.Plane(c);
            float inv = 1f / Std[c];
            System.Numerics.Tensors.TensorPrimitives.Subtract(plane, Mean[c], plane);
            System.Numerics.Tensors.TensorPrimitives.Multiply(plane, inv, plane);
        }

        return image;
    }
}
