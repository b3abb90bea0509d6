using static TorchSharp.torch;

namespace ReId.Training.Utils;

/// <summary>
/// Channels-last (NHWC) memory order for image batches. TorchSharp 0.107 has no <c>memory_format</c> argument, but a tensor
/// whose strides are NHWC's is channels-last to libtorch whatever made it, and libtorch then keeps the whole network in that
/// order: each convolution's output follows its input (<c>suggest_memory_format</c>), as do batch norm, ReLU, pooling and
/// the residual adds. oneDNN's NHWC convolution kernels are the faster path on CPUs; the weights need no change (oneDNN
/// reorders them itself, as PyTorch does with a channels-last input).
/// </summary>
public static class ChannelsLast
{
    /// <summary>A channels-last copy of a [N, C, H, W] batch: same shape and values, strides (H·W·C, 1, W·C, C).</summary>
    public static Tensor From(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException($"expected a [N, C, H, W] batch, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        using var nhwc = images.permute(0, 2, 3, 1);
        using var dense = nhwc.contiguous();
        return dense.permute(0, 3, 1, 2);
    }

    /// <summary>Whether a [N, C, H, W] tensor is laid out channels-last.</summary>
    public static bool Is(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) return false;
        long[] shape = images.shape, stride = images.stride();
        return stride[1] == 1 && stride[3] == shape[1] && stride[2] == shape[1] * shape[3] && stride[0] == shape[1] * shape[2] * shape[3];
    }
}
