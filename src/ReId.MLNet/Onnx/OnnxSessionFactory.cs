using Microsoft.ML.OnnxRuntime;

namespace ReId.MLNet.Onnx;

/// <summary>
/// The one place that makes ONNX Runtime sessions in the project (embedders, Gemm sessions of search and distance matrices,
/// evaluation through ONNX Runtime), so threads, graph optimisation and the CUDA-or-CPU choice are set the same way everywhere.
/// </summary>
public static class OnnxSessionFactory
{
    /// <summary>A session over an in-memory model.</summary>
    public static InferenceSession Create(byte[] model, OnnxSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(o => new InferenceSession(model, o), options);
    }

    /// <summary>A session over a model file; errors name the file.</summary>
    public static InferenceSession Create(string modelPath, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist", modelPath);
        return Create(o => new InferenceSession(modelPath, o), options);
    }

    /// <summary>
    /// The <see cref="SessionOptions"/> the factory uses (caller disposes), for code that must construct the session itself.
    /// <paramref name="cudaDevice"/> is the CUDA device the options target, or null for CPU.
    /// </summary>
    public static SessionOptions CreateSessionOptions(OnnxSessionOptions? options, out int? cudaDevice)
    {
        options ??= new OnnxSessionOptions();
        cudaDevice = OnnxDevices.Resolve(options.GpuDeviceId, options.FallbackToCpu);
        // The CUDA provider goes first; ONNX Runtime then places the nodes CUDA lacks on its CPU provider.
        var session = cudaDevice is { } device ? SessionOptions.MakeSessionOptionWithCudaProvider(device) : new SessionOptions();
        session.GraphOptimizationLevel = options.GraphOptimization;
        session.IntraOpNumThreads = options.ResolvedIntraOpThreads;
        session.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        if (!options.AllowSpinning)
            session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return session;
    }

    private static InferenceSession Create(Func<SessionOptions, InferenceSession> open, OnnxSessionOptions? options)
    {
        options ??= new OnnxSessionOptions();
        using var sessionOptions = CreateSessionOptions(options, out int? device);
        try
        {
            return open(sessionOptions);
        }
        catch (OnnxRuntimeException ex) when (device is not null)
        {
            // The provider loaded but the session could not be placed on the device (driver, memory, unsupported graph).
            if (!options.FallbackToCpu)
                throw new InvalidOperationException($"CUDA device {device} could not run the model: {ex.Message}. Set FallbackToCpu to run on CPU.", ex);
            using var cpu = CreateSessionOptions(options.WithoutGpu(), out _);
            return open(cpu);
        }
    }

    private static OnnxSessionOptions WithoutGpu(this OnnxSessionOptions options)
    {
        var copy = options.WithThreads(options.IntraOpThreads);
        copy.GpuDeviceId = null;
        return copy;
    }
}
