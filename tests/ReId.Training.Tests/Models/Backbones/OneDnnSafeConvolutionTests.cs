using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Backbones;

/// <summary>
/// float32 gradients against float64 ones: libtorch runs float64 convolutions without oneDNN, so they are an independent
/// second implementation. On this machine's AVX-512 CPU, stock oneDNN gets the input gradient of every shape in
/// <see cref="AffectedShapes"/> wrong by O(1); these tests fail without <see cref="OneDnnSafeConvolution"/>.
/// </summary>
public sealed class OneDnnSafeConvolutionTests
{
    /// <summary>The affected shapes, each with an NCHW input and with a channels-last one (the trainer's default order).</summary>
    public static TheoryData<int, int, int, bool, bool> AffectedShapes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (bool channelsLast in new[] { false, true })
            foreach (var (i, o, k, b) in new[] { (8, 8, 3, false), (3, 4, 3, false), (16, 12, 3, true), (8, 24, 3, false), (64, 20, 5, false), (4, 1, 7, true) })
                data.Add(i, o, k, b, channelsLast);
        return data;
    }

    [Theory]
    [MemberData(nameof(AffectedShapes))]
    public void InputAndWeightGradientsMatchFloat64(int inChannels, int outChannels, int kernel, bool bias, bool channelsLast)
    {
        manual_seed(3);
        using var conv = nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: bias);
        for (int trial = 0; trial < 5; trial++)
        {
            using var scope = NewDisposeScope();
            var input = randn(16, inChannels, 32, 16);
            var x = (channelsLast ? ReId.Training.Utils.ChannelsLast.From(input) : input).requires_grad_();
            Assert.True(OneDnnSafeConvolution.NeedsPadding(conv, x));
            var y = conv.ForwardSafe(x);
            var g = randn(y.shape);
            y.backward([g]);

            var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
            var w64 = conv.weight!.detach().to(ScalarType.Float64).requires_grad_();
            var b64 = conv.bias?.detach().to(ScalarType.Float64).requires_grad_();
            var y64 = nn.functional.conv2d(x64, w64, b64, padding: [kernel / 2, kernel / 2]);
            y64.backward([g.to(ScalarType.Float64)]);

            AssertClose(y64, y, "output");
            AssertClose(x64.grad!, x.grad!, "input gradient");
            AssertClose(w64.grad!, conv.weight!.grad!, "weight gradient");
            if (bias) AssertClose(b64!.grad!, conv.bias!.grad!, "bias gradient");
            conv.zero_grad();
        }
    }

    [Fact]
    public void ShapesOneDnnGetsRightAreLeftToTheModule()
    {
        using var x = randn(2, 8, 16, 8).requires_grad_();
        using var frozenInput = randn(2, 8, 16, 8);
        using var sixteen = nn.Conv2d(8, 16, 3, padding: 1);
        using var strided = nn.Conv2d(8, 8, 3, stride: 2, padding: 1);
        using var pointwise = nn.Conv2d(8, 8, 1);
        using var grouped = nn.Conv2d(8, 8, 3, padding: 1, groups: 2);
        using var affected = nn.Conv2d(8, 8, 3, padding: 1);
        Assert.False(OneDnnSafeConvolution.NeedsPadding(sixteen, x));
        Assert.False(OneDnnSafeConvolution.NeedsPadding(strided, x));
        Assert.False(OneDnnSafeConvolution.NeedsPadding(pointwise, x));
        Assert.False(OneDnnSafeConvolution.NeedsPadding(grouped, x));
        Assert.False(OneDnnSafeConvolution.NeedsPadding(affected, frozenInput), "no input gradient is computed");
        using (no_grad()) Assert.False(OneDnnSafeConvolution.NeedsPadding(affected, x), "no gradient at all");
        Assert.True(OneDnnSafeConvolution.NeedsPadding(affected, x));
    }

    /// <summary>
    /// The network the small CPU recipes train (a width-16 CLIP ModifiedResNet: an 8-channel 3×3 stem convolution): every
    /// parameter's float32 gradient matches the float64 copy's. Before the workaround the stem's (conv1, bn1) did not,
    /// and were NaN now and then (the csgn-small notebook's "gradients are not finite" in CI).
    /// </summary>
    [Fact]
    public void SmallModifiedResNetGradientsMatchFloat64()
    {
        manual_seed(5);
        var options = new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 16, Heads = 2, OutputDim = 16, InputHeight = 64, InputWidth = 32 };
        using var m32 = new ClipModifiedResNet(options);
        using var m64 = new ClipModifiedResNet(options);
        m64.load_state_dict(m32.state_dict());
        m64.to(ScalarType.Float64);
        m32.train();
        m64.train();
        using var x = randn(8, 3, 64, 32);
        using var g = randn(8, 16);
        using (var y = m32.forward(x)) y.backward([g]);
        using (var x64 = x.to(ScalarType.Float64))
        using (var g64 = g.to(ScalarType.Float64))
        using (var y64 = m64.forward(x64)) y64.backward([g64]);
        var p64 = m64.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        foreach (var (name, p) in m32.named_parameters())
        {
            if (p.grad is null) continue;
            AssertClose(p64[name].grad!, p.grad, name);
            compared++;
        }
        Assert.True(compared > 20, $"only {compared} parameters had gradients");
    }

    private static void AssertClose(Tensor expected64, Tensor actual32, string what)
    {
        using var scope = NewDisposeScope();
        Assert.True(isfinite(actual32).all().item<bool>(), $"{what}: not finite");
        // Relative to the tensor's largest value, with a floor for gradients that are zero in exact arithmetic (the
        // attention pool's key bias: softmax does not change when every key moves by the same amount).
        double scale = Math.Max(1e-2, expected64.abs().max().item<double>());
        double error = (actual32.to(ScalarType.Float64) - expected64).abs().max().item<double>();
        Assert.True(error <= 1e-3 * scale, $"{what}: max error {error:G3} against a largest value of {scale:G3}");
    }
}
