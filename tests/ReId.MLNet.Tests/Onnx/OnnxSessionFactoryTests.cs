using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Tests.Onnx;

public class OnnxSessionFactoryTests
{
    /// <summary>y = x·Wᵀ for a 2×3 W, so a session's result can be checked by hand.</summary>
    private static byte[] SmallGemm()
    {
        var b = new OnnxGraphBuilder("small_gemm");
        b.AddInput("x", OnnxElementType.Float, "n", 3);
        string w = b.Constant([1f, 2f, 3f, -1f, 0f, 1f], 2, 3);
        b.NodeWithOutputs("Gemm", ["x", w], ["y"], OnnxAttribute.Int("transB", 1));
        b.AddOutput("y", OnnxElementType.Float, "n", 2);
        return b.ToBytes();
    }

    private static float[] Run(InferenceSession session, float[] x)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(x, [x.Length / 3, 3]);
        using var outputs = session.Run(new RunOptions(), ["x"], [value], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void DefaultThreadsAreTheMachinesCoresAndExplicitThreadsAreKept()
    {
        using var defaults = OnnxSessionFactory.CreateSessionOptions(null, out int? device);
        Assert.Null(device);
        Assert.Equal(Environment.ProcessorCount, defaults.IntraOpNumThreads);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, defaults.GraphOptimizationLevel);
        using var three = OnnxSessionFactory.CreateSessionOptions(new OnnxSessionOptions { IntraOpThreads = 3 }, out _);
        Assert.Equal(3, three.IntraOpNumThreads);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SessionsComputeTheModelWithAnyThreadCount(int threads)
    {
        using var session = OnnxSessionFactory.Create(SmallGemm(), new OnnxSessionOptions { IntraOpThreads = threads, AllowSpinning = false });
        Assert.Equal([14f, 2f, 2f, 0f], Run(session, [1f, 2f, 3f, 0f, 1f, 0f]));
    }

    [Fact]
    public void AbsentCudaFallsBackToCpuWhenAllowed()
    {
        // No CUDA device exists on the CPU machines this runs on (and the CPU package has no CUDA provider at all).
        using var session = OnnxSessionFactory.Create(SmallGemm(), new OnnxSessionOptions { GpuDeviceId = 0, FallbackToCpu = true });
        Assert.Equal([14f, 2f], Run(session, [1f, 2f, 3f]));
    }

    [Fact]
    public void AbsentCudaIsAClearErrorWithoutFallback()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            OnnxSessionFactory.Create(SmallGemm(), new OnnxSessionOptions { GpuDeviceId = 0, FallbackToCpu = false }));
        Assert.Contains("CUDA device 0", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OnnxSessionFactory.Create("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", e.Message);
    }
}
