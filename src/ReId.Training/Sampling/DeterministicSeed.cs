namespace ReId.Training.Sampling;

/// <summary>Derives independent, reproducible seeds from a run seed and coordinates (epoch, batch, position).</summary>
internal static class DeterministicSeed
{
    /// <summary>SplitMix64 mixing of the seed with each coordinate, so neighbouring coordinates give unrelated streams.</summary>
    public static int Derive(long seed, params ReadOnlySpan<long> coordinates)
    {
        ulong h = Mix((ulong)seed);
        foreach (long c in coordinates)
        {
            h = Mix(h ^ (ulong)c + 0x9E3779B97F4A7C15UL);
        }

        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>A fresh <see cref="Random"/> for the coordinates; the seeded <see cref="Random"/> algorithm is stable across .NET versions.</summary>
    public static Random Create(long seed, params ReadOnlySpan<long> coordinates) => new(Derive(seed, coordinates));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
