using static TorchSharp.torch;

namespace ReId.Training.Augmentation;

/// <summary>A ready training batch: images as CHW floats, with each sample's label, camera and index.</summary>
public sealed record LoadedBatch(float[] Images, int[] Labels, int[] Cameras, int[] Indices, int Height, int Width, Sampling.SamplerPosition Next)
{
    public int Count => Labels.Length;

    /// <summary>[B, 3, H, W] float tensor (a copy; the caller disposes it).</summary>
    public Tensor ImagesTensor(Device? device = null)
    {
        var t = tensor(Images, [Count, 3, Height, Width]);
        return device is null ? t : t.to(device);
    }

    /// <summary>[B] int64 label tensor.</summary>
    public Tensor LabelsTensor(Device? device = null)
    {
        var t = tensor(Labels.Select(l => (long)l).ToArray());
        return device is null ? t : t.to(device);
    }
}
