using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ReId.Benchmarks;

/// <summary>Runs <see cref="KernelMicroBenchmarks"/> with BenchmarkDotNet in this process (no second build); extra args go to BenchmarkDotNet
/// (for example <c>--filter *TopK*</c>).</summary>
internal sealed class MicroBenchmark : IBenchmark
{
    public string Name => "micro";
    public string Description => "BenchmarkDotNet micro-benchmarks of hot kernels: distance block, top-k, gallery search, re-ranking (args go to BenchmarkDotNet)";

    public int Run(string[] args, TextWriter output)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(KernelMicroBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
