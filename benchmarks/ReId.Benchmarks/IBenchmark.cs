namespace ReId.Benchmarks;

/// <summary>One named benchmark; discovered by reflection so that adding a benchmark is adding a file.</summary>
internal interface IBenchmark
{
    string Name { get; }
    string Description { get; }

    /// <summary>Runs the measurement and prints its figures; returns a process exit code.</summary>
    int Run(string[] args, TextWriter output);
}
