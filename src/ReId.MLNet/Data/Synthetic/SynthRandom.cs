namespace ReId.MLNet.Data.Synthetic;

/// <summary>Small deterministic generator (SplitMix64): a value type so each image gets its own stream without allocation,
/// seeded from (seed, identity, camera, index) so that output does not depend on thread scheduling.</summary>
internal struct SynthRandom
{
    private ulong _state;

    public SynthRandom(params ReadOnlySpan<long> keys)
    {
        ulong s = 0x9E3779B97F4A7C15UL;
        foreach (long k in keys) s = Mix(s ^ (ulong)k) + 0x632BE59BD9B4E019UL;
        _state = s;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public float NextFloat() => (float)NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => (int)((NextULong() >> 33) % (ulong)n);

    /// <summary>Uniform integer in [min, max] (inclusive).</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public float Range(float min, float max) => min + (max - min) * NextFloat();

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Approximately normal (sum of uniforms), mean 0, standard deviation 1.</summary>
    public float Gaussian() => (float)(NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508f;
}
