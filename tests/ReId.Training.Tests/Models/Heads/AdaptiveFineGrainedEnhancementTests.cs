using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace ReId.Training.Tests.Models.Heads;

public sealed class AdaptiveFineGrainedEnhancementTests
{
    private static readonly float[] S = [1f, -2f, 3f, 0.5f];

    /// <summary>D = 4, G = 2, eval-mode BN with statistics chosen so that ReLU(BN(s)) = [1, 0, 1.5, 0] by hand.</summary>
    private static AdaptiveFineGrainedEnhancement Module(AfemMode mode)
    {
        var m = new AdaptiveFineGrainedEnhancement(4, 2, mode);
        using (no_grad())
        {
            m.Norm.running_mean!.copy_(tensor(new[] { 0f, 1f, 0f, 0f }));
            m.Norm.running_var!.copy_(tensor(new[] { 1f, 1f, 4f, 1f }));
            m.Norm.weight!.copy_(tensor(new[] { 1f, 1f, 1f, 2f }));
            m.Norm.bias!.copy_(tensor(new[] { 0f, 0f, 0f, -1f }));
        }
        // BN: [1/1, (−2−1)/1, 3/2, 0.5·2 − 1] = [1, −3, 1.5, 0]; ReLU: [1, 0, 1.5, 0].
        m.eval();
        return m;
    }

    private static float[] Run(AdaptiveFineGrainedEnhancement m, float[] s)
    {
        using var x = tensor(s, [1, s.Length]);
        using var y = m.forward(x);
        return y.data<float>().ToArray();
    }

    [Fact]
    public void GroupGateScalesEachGroupOfTheActivatedVectorAndAddsTheInput()
    {
        using var m = Module(AfemMode.GroupGate);
        using (no_grad()) m.Weight.copy_(tensor(new[] { 2f, -1f }));
        // r = [2·1, 2·0, −1·1.5, −1·0] = [2, 0, −1.5, 0]; y = s + r.
        float[] expected = [3f, -2f, 1.5f, 0.5f];
        var got = Run(m, S);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], got[i], 4);
    }

    [Fact]
    public void GroupLinearMapsEachGroupWithItsOwnMatrixAndBias()
    {
        using var m = Module(AfemMode.GroupLinear);
        using (no_grad())
        {
            // W_0 = [[1, 2], [0, 1]], W_1 = [[0, 1], [1, 0]] (out × in); b_0 = [0.5, 0], b_1 = [0, −1].
            m.Weight.copy_(tensor(new[] { 1f, 2f, 0f, 1f, 0f, 1f, 1f, 0f }, [2, 2, 2]));
            m.Bias!.copy_(tensor(new[] { 0.5f, 0f, 0f, -1f }, [2, 2]));
        }
        // Group 0: W_0·[1, 0] + b_0 = [1.5, 0]; group 1: W_1·[1.5, 0] + b_1 = [0, 0.5]; y = s + r.
        float[] expected = [2.5f, -2f, 3f, 1f];
        var got = Run(m, S);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], got[i], 4);
    }

    [Theory]
    [InlineData(AfemMode.GroupGate)]
    [InlineData(AfemMode.GroupLinear)]
    public void BothReadingsStartAsTheInputPlusItsRectifiedNormalisation(AfemMode mode)
    {
        using var m = Module(mode);
        float[] expected = [1f + 1f, -2f + 0f, 3f + 1.5f, 0.5f + 0f];
        var got = Run(m, S);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], got[i], 4);
    }

    [Fact]
    public void GroupsMustDivideTheVectorSize()
    {
        var e = Assert.Throws<ArgumentException>(() => new AdaptiveFineGrainedEnhancement(10, 4));
        Assert.Contains("divide", e.Message);
    }

    [Theory]
    [InlineData(AfemMode.GroupGate)]
    [InlineData(AfemMode.GroupLinear)]
    public void ExportedModuleMatchesTorchUnderOnnxRuntime(AfemMode mode)
    {
        torch.manual_seed(3);
        using var m = new AdaptiveFineGrainedEnhancement(32, 8, mode);
        using (no_grad())
        {
            foreach (var p in m.parameters()) p.add_(randn_like(p) * 0.3f);
            m.train();
            for (int i = 0; i < 3; i++) m.forward(randn(6, 32) * 2f + 0.5f).Dispose();
        }
        m.eval();
        var g = new OnnxGraphBuilder("afem");
        string input = g.AddInput("x", OnnxElementType.Float, "batch", 32);
        string y;
        using (no_grad()) y = m.Export(new OnnxExportContext(g), input);
        g.NodeWithOutputs("Identity", [y], ["y"]);
        g.AddOutput("y", OnnxElementType.Float, "batch", 32);
        byte[] bytes = g.ToBytes();
        OnnxModelChecker.Check(bytes);

        using var x = randn(5, 32);
        Tensor expected;
        using (no_grad()) expected = m.forward(x);
        using var disposeExpected = expected;
        using var session = new InferenceSession(bytes);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor(x.data<float>().ToArray(), [5, 32]))]);
        var got = results.First().AsEnumerable<float>().ToArray();
        var exp = expected.data<float>().ToArray();
        Assert.Equal(exp.Length, got.Length);
        Assert.True(exp.Zip(got, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }
}
