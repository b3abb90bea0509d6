namespace ReId.Training.Augmentation;

/// <summary>A float image in channel-major (CHW) layout, 3 channels RGB, values in [0, 1] before normalisation.</summary>
public sealed class ImageTensor
{
    public ImageTensor(int height, int width) : this(new float[3 * height * width], height, width)
    {
    }

    public ImageTensor(float[] data, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (data.Length != 3 * height * width)
        {
            throw new ArgumentException($"Image data has {data.Length} values; expected 3×{height}×{width} = {3 * height * width}.", nameof(data));
        }

        Data = data;
        Height = height;
        Width = width;
    }

    public float[] Data { get; }
    public int Height { get; }
    public int Width { get; }
    public int PlaneSize => Height * Width;

    /// <summary>One channel's plane.</summary>
    public Span<float> Plane(int channel) => Data.AsSpan(channel * PlaneSize, PlaneSize);

    /// <summary>Converts interleaved 8-bit RGB (HWC) to [0, 1] floats.</summary>
    public static ImageTensor FromRgb(ReadOnlySpan<byte> rgb, int height, int width)
    {
        if (rgb.Length != 3 * height * width)
        {
            throw new ArgumentException($"RGB buffer has {rgb.Length} bytes; expected {3 * height * width}.", nameof(rgb));
        }

        var image = new ImageTensor(height, width);
        int plane = height * width;
        var data = image.Data;
        const float scale = 1f / 255f;
        for (int i = 0; i < plane; i++)
        {
            data[i] = rgb[3 * i] * scale;
            data[plane + i] = rgb[3 * i + 1] * scale;
            data[2 * plane + i] = rgb[3 * i + 2] * scale;
        }

        return image;
    }
}
