using TorchSharp;

namespace ReId.Training.Utils;

/// <summary>Chooses the TorchSharp device in one place and seeds libtorch's generators.</summary>
public static class TorchRuntime
{
    /// <summary>Returns CUDA when asked for and available, otherwise the CPU.</summary>
    public static torch.Device InitializeDevice(bool preferCuda = false, int deviceId = 0)
    {
        if (preferCuda && torch.cuda.is_available())
            return new torch.Device(DeviceType.CUDA, deviceId);
        return torch.CPU;
    }

    /// <summary>
    /// The device a <c>device</c> setting names: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. Asking for CUDA where libtorch has
    /// none (the CPU package, no GPU, or N beyond the GPUs present) is an <see cref="ArgumentException"/> that says so, not a
    /// silent fall-back: a run the user meant for a GPU must not crawl on the CPU unnoticed.
    /// </summary>
    public static torch.Device ParseDevice(string? setting) => ParseDevice(setting, torch.cuda.is_available, torch.cuda.device_count);

    /// <summary><see cref="ParseDevice(string?)"/> with the CUDA probes given (tests pin both answers).</summary>
    internal static torch.Device ParseDevice(string? setting, Func<bool> cudaAvailable, Func<int> cudaDevices)
    {
        string s = (setting ?? "cpu").Trim().ToLowerInvariant();
        if (s is "" or "cpu") return torch.CPU;
        if (s != "cuda" && !s.StartsWith("cuda:", StringComparison.Ordinal))
            throw new ArgumentException($"device '{setting}': expected cpu, cuda or cuda:N");
        int index = 0;
        if (s.Length > 5 && (!int.TryParse(s.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)))
            throw new ArgumentException($"device '{setting}': expected cpu, cuda or cuda:N with N a GPU index (0, 1, …)");
        if (!cudaAvailable())
            throw new ArgumentException($"device '{setting}': CUDA is not available — this build uses libtorch's CPU package or the machine has no NVIDIA GPU; " +
                "build with -p:ReIdCuda=true on a machine with a GPU, or use --device cpu");
        int count = cudaDevices();
        if (index >= count) throw new ArgumentException($"device '{setting}': this machine has {count} CUDA device(s), numbered from 0");
        return new torch.Device(DeviceType.CUDA, index);
    }

    /// <summary>Seeds libtorch's global generator so that initialisation and dropout are repeatable.</summary>
    public static void Seed(long seed) => torch.manual_seed(seed);
}
