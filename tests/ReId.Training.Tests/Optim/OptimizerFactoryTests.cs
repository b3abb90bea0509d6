using ReId.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Optim;

public sealed class OptimizerFactoryTests
{
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear backbone;
        private readonly TorchSharp.Modules.Linear head;

        public Net() : base("net")
        {
            backbone = nn.Linear(2, 2);
            head = nn.Linear(2, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => head.forward(backbone.forward(x));
    }

    private static Dictionary<string, float[]> Snapshot(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().data<float>().ToArray());

    [Fact]
    public void GroupsSplitBiasAndPrefixRulesAndSkipFrozen()
    {
        using var net = new Net();
        net.named_parameters().Single(p => p.name == "head.bias").parameter.requires_grad = false;
        var options = new OptimizerOptions { LearningRate = 0.1, WeightDecay = 0.01 };
        using var opt = OptimizerFactory.Create(net, options, new ParameterGroupRule("backbone.", 0.5));
        var byName = opt.Groups.ToDictionary(g => g.Name);
        Assert.Equal(["backbone.bias", "backbone.weight", "default.weight"], byName.Keys.Order());
        Assert.Equal(0.1, byName["backbone.bias"].BaseLearningRate, 12); // 0.1 × 0.5 × 2
        Assert.Equal(0.0, byName["backbone.bias"].WeightDecay);
        Assert.Equal(0.05, byName["backbone.weight"].BaseLearningRate, 12);
        Assert.Equal(0.01, byName["default.weight"].WeightDecay);
        Assert.Equal(["head.weight"], byName["default.weight"].ParameterNames);
        Assert.Equal(3, opt.Parameters.Count);
        Assert.Equal(opt.Groups.Select(g => g.BaseLearningRate), opt.LearningRates);
    }

    [Fact]
    public void SgdStepAppliesGroupLearningRateAndDecay()
    {
        using var net = new Net();
        var before = Snapshot(net);
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, WeightDecay = 0.5, Momentum = 0 };
        using var opt = OptimizerFactory.Create(net, options);
        opt.ZeroGrad();
        // Loss = sum of head output; its gradient w.r.t. head.bias is 1 per sample.
        using var x = zeros(3, 2);
        using var loss = net.forward(x).sum();
        loss.backward();
        opt.Step();
        var after = Snapshot(net);
        // head.bias: lr 0.2 (bias ×2), no decay, grad 3 → −0.6.
        Assert.Equal(before["head.bias"][0] - 0.6f, after["head.bias"][0], 5);
        // backbone.weight: zero input → zero grad; only decay: w − 0.1·0.5·w.
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(before["backbone.weight"][i] * 0.95f, after["backbone.weight"][i], 5);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void AdamFirstStepUsesGroupLearningRateAndCoupledOrDecoupledDecay(OptimizerKind kind)
    {
        using var net = new Net();
        var before = Snapshot(net);
        using var opt = OptimizerFactory.Create(net, new OptimizerOptions { Kind = kind, LearningRate = 0.01, WeightDecay = 0.1 });
        opt.ZeroGrad();
        using var x = zeros(1, 2);
        using var loss = net.forward(x).sum();
        loss.backward();
        opt.Step();
        var after = Snapshot(net);
        // backbone.bias has a non-zero gradient through head.weight; backbone.weight gets zero gradient.
        Assert.Equal(0.02f, Math.Abs(before["head.bias"][0] - after["head.bias"][0]), 4); // Adam's first step ≈ lr (×2 for biases)
        var moved = Math.Abs(before["backbone.weight"][0] - after["backbone.weight"][0]);
        // Adam: decay enters the gradient → normalised step ≈ lr. AdamW: decoupled → lr·wd·w.
        float expected = kind == OptimizerKind.Adam ? 0.01f : 0.01f * 0.1f * Math.Abs(before["backbone.weight"][0]);
        Assert.Equal(expected, moved, 4);
    }

    [Fact]
    public void AllFrozenIsRejected()
    {
        using var net = new Net();
        foreach (var p in net.parameters())
        {
            p.requires_grad = false;
        }

        Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(net, new OptimizerOptions()));
    }

    [Fact]
    public void SchedulerSetsEveryGroupAndRestoresItsStep()
    {
        using var net = new Net();
        using var opt = OptimizerFactory.Create(net, new OptimizerOptions { LearningRate = 0.1 });
        var scheduler = new LearningRateScheduler(opt, new WarmupMultiStepScheduler([3], 0.1, 2, 0.01));
        Assert.Equal(opt.Groups.Select(g => g.BaseLearningRate * 0.01), opt.LearningRates);
        scheduler.Advance();
        scheduler.Advance();
        scheduler.Advance();
        Assert.Equal(3, scheduler.Step);
        Assert.Equal(opt.Groups.Select(g => g.BaseLearningRate * 0.1), opt.LearningRates);
        _ = new LearningRateScheduler(opt, new WarmupMultiStepScheduler([3], 0.1, 2, 0.01), step: 1);
        Assert.Equal(opt.Groups.Select(g => g.BaseLearningRate * 0.505), opt.LearningRates);
    }

    [Fact]
    public void ClippingScalesTheGlobalNorm()
    {
        using var net = new Net();
        using var opt = OptimizerFactory.Create(net, new OptimizerOptions());
        using var x = ones(4, 2) * 10;
        using var loss = net.forward(x).pow(2).sum();
        loss.backward();
        double before = GradientClipping.ClipByNorm(opt.Parameters, 0);
        Assert.True(before > 1);
        double reported = GradientClipping.ClipByNorm(opt.Parameters, 1.0);
        Assert.Equal(before, reported, 3);
        Assert.Equal(1.0, GradientClipping.ClipByNorm(opt.Parameters, 0), 3);
    }
}
