using Microsoft.ML.OnnxRuntime;

namespace ReId.MLNet.Onnx;

/// <summary>How <see cref="OnnxSessionFactory"/> builds an ONNX Runtime session: threads, device and graph optimisation.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>
    /// Threads of one operator (ONNX Runtime's intra-op pool); null uses <see cref="Environment.ProcessorCount"/>, which honours
    /// container CPU limits. ONNX Runtime's own default (0) picked one thread on the 2-core development machines.
    /// </summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>CUDA device to run on; null runs on CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Run on CPU when the CUDA device cannot be used (default); false makes that an error.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>
    /// Let idle intra-op threads spin after each run (ONNX Runtime's default). Spinning shortens back-to-back calls but takes
    /// the cores other work (image decoding) needs, so pipelines that overlap decoding with inference turn it off.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>Graph optimisation level (default: all).</summary>
    public GraphOptimizationLevel GraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The intra-op thread count these options resolve to.</summary>
    public int ResolvedIntraOpThreads => IntraOpThreads is int n and > 0 ? n : Math.Max(1, Environment.ProcessorCount);

    /// <summary>A copy with a different thread count.</summary>
    public OnnxSessionOptions WithThreads(int? threads)
    {
        var copy = (OnnxSessionOptions)MemberwiseClone();
        copy.IntraOpThreads = threads;
        return copy;
    }
}
