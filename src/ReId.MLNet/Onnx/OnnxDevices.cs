using Microsoft.ML.OnnxRuntime;

namespace ReId.MLNet.Onnx;

/// <summary>Decides whether a requested CUDA device can be used by the ONNX Runtime build that is loaded.</summary>
internal static class OnnxDevices
{
    /// <summary>
    /// Returns <paramref name="gpuDeviceId"/> when the CUDA execution provider can be created for it; otherwise null
    /// (run on CPU) when <paramref name="fallbackToCpu"/> is set, else an error. ML.NET's own fallback only catches
    /// ONNX Runtime errors, while the CPU-only package fails earlier with a missing entry point.
    /// </summary>
    public static int? Resolve(int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is not { } device)
            return null;
        try
        {
            using var probe = SessionOptions.MakeSessionOptionWithCudaProvider(device);
            return device;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            if (fallbackToCpu)
                return null;
            throw new InvalidOperationException(
                $"CUDA device {device} cannot be used: {ex.Message} (the CPU-only ONNX Runtime package is loaded, or no CUDA device/driver is present). " +
                "Set FallbackToCpu, or build with the CUDA packages.", ex);
        }
    }
}
