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

    /// <summary>Seeds libtorch's global generator so that initialisation and dropout are repeatable.</summary>
    public static void Seed(long seed) => torch.manual_seed(seed);
}
