using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// Convolution forward that avoids a wrong-gradient bug of libtorch 2.10's oneDNN 3.7.1 on AVX-512 CPUs (measured on the
/// AMD EPYC Zen 5 of these machines): the <b>input gradient</b> of a stride-1, ungrouped convolution with a kernel larger
/// than 1×1 is wrong — on every call, by O(1), and with NaN in about one call in three — whenever the number of
/// <b>output channels is not a multiple of 16</b> (one AVX-512 register of floats). The forward pass and the weight
/// gradient are right; strided, grouped and 1×1 convolutions are right; 16, 32, 48 … output channels are right. Real
/// backbones (64-channel stems and up) never meet it; the small CPU recipes do (a CLIP ModifiedResNet of width 16 has an
/// 8-channel 3×3 stem convolution), and it made their stem's gradients garbage and, now and then, NaN.
/// <para>
/// The workaround pads the weight with zero filters up to the next multiple of 16 output channels, runs the convolution
/// that oneDNN computes correctly, and keeps the first channels: the same result and the same gradients (the padding is a
/// constant, so the weight's gradient is the slice that belongs to it). It applies only when an input gradient will be
/// computed on the CPU and the layer is in the affected shape; everything else calls the module unchanged.
/// <c>tests/ReId.Training.Tests/Models/OneDnnSafeConvolutionTests.cs</c> checks float32 gradients against float64 (whose
/// convolutions do not go through oneDNN) over the affected shapes.
/// </para>
/// </summary>
public static class OneDnnSafeConvolution
{
    /// <summary>The output-channel multiple oneDNN's backward-data kernel gets right.</summary>
    public const int SafeChannelMultiple = 16;

    /// <summary><paramref name="conv"/> applied to <paramref name="input"/>, through the zero-padded weight when the layer is in the affected shape.</summary>
    public static Tensor ForwardSafe(this Conv2d conv, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(input);
        if (!NeedsPadding(conv, input)) return conv.forward(input);
        using var scope = NewDisposeScope();
        var weight = conv.weight!;
        long outChannels = weight.shape[0];
        long padded = (outChannels + SafeChannelMultiple - 1) / SafeChannelMultiple * SafeChannelMultiple;
        var zerosShape = weight.shape.ToArray();
        zerosShape[0] = padded - outChannels;
        var paddedWeight = cat([weight, zeros(zerosShape, dtype: weight.dtype, device: weight.device)], 0);
        Tensor? paddedBias = conv.bias is { } b ? cat([b, zeros(padded - outChannels, dtype: b.dtype, device: b.device)], 0) : null;
        var y = nn.functional.conv2d(input, paddedWeight, paddedBias, conv.stride, conv.padding, conv.dilation, conv.groups);
        return y.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary>Whether <paramref name="conv"/> on <paramref name="input"/> is in the shape whose input gradient oneDNN gets wrong.</summary>
    public static bool NeedsPadding(Conv2d conv, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(input);
        return input.requires_grad && is_grad_enabled() && input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32
               && conv.out_channels % SafeChannelMultiple != 0 && conv.groups == 1 && conv.padding_mode == PaddingModes.Zeros
               && conv.padding_type is null && conv.stride.All(s => s == 1) && conv.kernel_size.Any(k => k > 1);
    }
}
