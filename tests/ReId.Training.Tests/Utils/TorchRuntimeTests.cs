using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Utils;

public class TorchRuntimeTests
{
    [Fact]
    public void ConvolutionForwardAndBackwardMatchHandComputedValues()
    {
        var device = TorchRuntime.InitializeDevice();
        using var scope = NewDisposeScope();
        // 1×1×3×3 input 1..9, a 2×2 kernel of ones: each output is the sum of a 2×2 window.
        var x = arange(1, 10, dtype: float32, device: device).reshape(1, 1, 3, 3).requires_grad_(true);
        var w = ones(1, 1, 2, 2, dtype: float32, device: device).requires_grad_(true);
        var y = nn.functional.conv2d(x, w);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, y.shape);
        Assert.Equal(new float[] { 12, 16, 24, 28 }, y.data<float>().ToArray());
        y.sum().backward();
        // d(sum)/dx counts how many windows cover each pixel; d(sum)/dw sums each kernel tap's window.
        Assert.Equal(new float[] { 1, 2, 1, 2, 4, 2, 1, 2, 1 }, x.grad!.data<float>().ToArray());
        Assert.Equal(new float[] { 12, 16, 24, 28 }, w.grad!.data<float>().ToArray());
    }
}
