using ReId.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Training;

public class OptimizerCheckpointTests
{
    private static (nn.Module<Tensor, Tensor> Model, Tensor X) Setup()
    {
        manual_seed(11);
        var model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2));
        return (model, randn(8, 5));
    }

    private static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, Tensor x)
    {
        opt.zero_grad();
        model.forward(x).pow(2).sum().backward();
        opt.step();
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void ExportThenImportContinuesExactlyLikeTheUninterruptedOptimizer(string kind)
    {
        optim.Optimizer Make(nn.Module<Tensor, Tensor> m) => kind switch
        {
            "adam" => optim.Adam(m.parameters(), 0.01),
            "adamw" => optim.AdamW(m.parameters(), 0.01),
            _ => optim.SGD(m.parameters(), 0.01, momentum: 0.9),
        };
        var (a, x) = Setup();
        var optA = Make(a);
        for (int i = 0; i < 3; i++) Step(a, optA, x);
        var saved = OptimizerCheckpoint.Export(optA, out var steps);
        var weights = a.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        Step(a, optA, x); // the uninterrupted run's 4th step

        var (b, _) = Setup();
        foreach (var (name, value) in b.state_dict()) { using var noGrad = no_grad(); value.copy_(weights[name]); }
        var optB = Make(b);
        OptimizerCheckpoint.Import(optB, saved, steps);
        Step(b, optB, x); // the resumed run's 4th step

        foreach (var (name, value) in a.state_dict())
            Assert.True(value.allclose(b.state_dict()[name], rtol: 0, atol: 0), $"{kind}: parameter {name} differs after resume");
        if (kind != "sgd") Assert.Equal(3, steps["0"]);
    }
}
