namespace ReId.MLNet.Ranking;

/// <summary>How <see cref="GalleryIndex"/> computes its scores.</summary>
public enum GallerySearchKernel
{
    /// <summary>The fused kernel where the CPU has AVX-512 and no GPU is asked for; the Gemm otherwise.</summary>
    Auto,
    /// <summary>AVX-512 micro-kernel that compares scores with the top-k thresholds in registers and never stores a score matrix.</summary>
    Fused,
    /// <summary>ONNX Runtime Gemm tiles (MLAS, or CUDA with <see cref="GalleryIndex.GpuDeviceId"/>) followed by a SIMD top-k scan.</summary>
    Gemm,
}
