using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Backbones;

public sealed class ResNetBlockTests
{
    [Theory]
    [InlineData(8)]     // strided convolution
    [InlineData(512)]   // subsample + stride-1 convolution (the oneDNN workaround)
    public void StridedShortcutEqualsAStridedOneByOneConvolutionFollowedByBatchNorm(int inChannels)
    {
        torch.manual_seed(3);
        using var block = new ResNetBlock(inChannels, 4, stride: 2, bottleneck: true, ibn: false);
        block.eval();
        var p = block.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var buffers = block.named_buffers().ToDictionary(x => x.name, x => x.buffer);
        using (torch.no_grad())
        {
            foreach (var (name, t) in buffers.Where(b => b.Key.EndsWith("running_mean"))) t.copy_(torch.randn(t.shape) * 0.3f);
            foreach (var (name, t) in buffers.Where(b => b.Key.EndsWith("running_var"))) t.copy_(torch.rand(t.shape) + 0.5f);
        }
        using var x = torch.randn(2, inChannels, 9, 7);
        using var y = block.forward(x);

        // Reference written from the definition: main path and projection shortcut with ordinary strided convolutions.
        Tensor Bn(Tensor t, string n) => nn.functional.batch_norm(t, buffers[n + ".running_mean"], buffers[n + ".running_var"], p[n + ".weight"], p[n + ".bias"], training: false, eps: 1e-5);
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(Bn(nn.functional.conv2d(x, p["conv1.weight"]), "bn1"));
        h = nn.functional.relu(Bn(nn.functional.conv2d(h, p["conv2.weight"], strides: [2, 2], padding: [1, 1]), "bn2"));
        h = Bn(nn.functional.conv2d(h, p["conv3.weight"]), "bn3");
        var shortcut = Bn(nn.functional.conv2d(x, p["downsample.0.weight"], strides: [2, 2]), "downsample.1");
        var expected = nn.functional.relu(h + shortcut);

        Assert.Equal(expected.shape, y.shape);
        Assert.True((expected - y).abs().max().item<float>() < 1e-5f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResNet50ShortcutShapesTrainOnThisCpu(bool channelsLast)
    {
        // 1024→2048 and 512→1024 strided 1×1 backward kills the process with SIGFPE inside oneDNN 3.7 on
        // AVX-512 CPUs; the block must compute these shortcuts another way.
        torch.manual_seed(4);
        foreach (var (cin, planes, hw) in new[] { (1024L, 512L, 16L), (512L, 256L, 32L) })
        {
            using var block = new ResNetBlock(cin, planes, stride: 2, bottleneck: true, ibn: false);
            block.train();
            using var input = torch.randn(2, cin, hw, hw / 2);
            using var x = (channelsLast ? ReId.Training.Utils.ChannelsLast.From(input) : input.alias()).requires_grad_(true);
            using var y = block.forward(x);
            y.sum().backward();
            Assert.Equal(new long[] { 2, planes * 4, hw / 2, hw / 4 }, y.shape);
            Assert.Equal(x.shape, x.grad!.shape);
            Assert.True(x.grad!.abs().sum().item<float>() > 0);
        }
    }
}
