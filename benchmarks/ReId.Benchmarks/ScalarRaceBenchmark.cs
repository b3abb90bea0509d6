using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Benchmarks;

/// <summary>
/// The minimal program behind issue 17: TorchSharp calls whose <see cref="Scalar"/> argument has no owner, run while
/// another thread forces garbage collections. TorchSharp 0.107 passes <c>scalar.Handle</c> (an IntPtr) to libtorch and
/// keeps no reference to the Scalar during the native call, so the GC may finalise it — <c>~Scalar</c> deletes the
/// native <c>c10::Scalar</c> — while libtorch still reads it.
/// </summary>
internal sealed class ScalarRaceBenchmark : IBenchmark
{
    public string Name => "scalar-race";

    public string Description => "TorchSharp Scalar/Tensor finaliser races; args: pattern (tensor-plus-tensor|tensor-plus-double|add-alpha|owned|unscoped-chain|scoped-chain) [iterations] [size]";

    public int Run(string[] args, TextWriter output)
    {
        string pattern = args.Length > 0 ? args[0] : "tensor-plus-tensor";
        long iterations = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;
        int size = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;

        torch.manual_seed(1);
        using var a = torch.rand(size, size);
        using var b = torch.rand(size, size);
        using var owned = 0.5.ToScalar();
        // Expected sums computed once with owned Scalars: a use-after-free may also read a wrong value silently.
        using var expectedPlus = a.add(b, owned).add(owned);
        using var one = 1.ToScalar();
        using var expectedSum = a.add(b, one);
        using var expectedAlpha = a.add(b, owned);
        using var expectedChain = a.add(b, one).add(b, one).add(b, one);

        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true, Name = "forced GC" };
        collector.Start();

        var clock = Stopwatch.StartNew();
        long wrong = 0, i = 0;
        try
        {
            for (; i < iterations; i++)
            {
                if (pattern is "unscoped-chain" or "scoped-chain")
                {
                    // A temporary Tensor as `this` of the next call: TorchSharp passes its handle (an at::Tensor*) to libtorch
                    // and nothing keeps the temporary alive during that call unless a DisposeScope holds it. Owned Scalars only,
                    // so a failure here is the Tensor's finaliser, not a Scalar's.
                    using var chainScope = pattern == "scoped-chain" ? NewDisposeScope() : null;
                    using var chained = a.add(b, one).add(b, one).add(b, one);
                    if (i % 1000 == 0 && !chained.allclose(expectedChain, rtol: 0, atol: 0)) wrong++;
                    if (i % 200_000 == 0) output.WriteLine($"{pattern}: {i} iterations, {collections} forced collections, {wrong} wrong results, {clock.Elapsed.TotalSeconds:F0} s");
                    continue;
                }
                using var scope = NewDisposeScope();
                var (result, expected) = pattern switch
                {
                    // Tensor + Tensor → Tensor.add(Tensor) → add(target, 1): the alpha Scalar made from 1 has no owner.
                    "tensor-plus-tensor" => (a + b, expectedSum),
                    // Tensor + double → add(Scalar) → add(scalar, 1): two Scalars without owner.
                    "tensor-plus-double" => (a.add(b, owned) + 0.5, expectedPlus),
                    // add(Tensor, alpha: double), as TorchSharp's Adam and SGD apply weight decay.
                    "add-alpha" => (a.add(b, alpha: 0.5), expectedAlpha),
                    // The fix: every Scalar is held by a variable that outlives the call.
                    "owned" => (a.add(b, one), expectedSum),
                    _ => throw new ArgumentException($"pattern '{pattern}': expected tensor-plus-tensor, tensor-plus-double, add-alpha or owned"),
                };
                if (i % 1000 == 0 && !result.allclose(expected, rtol: 0, atol: 0)) wrong++;
                if (i % 200_000 == 0) output.WriteLine($"{pattern}: {i} iterations, {collections} forced collections, {wrong} wrong results, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // libtorch's own message names the function that read the freed Scalar (c10::Scalar::toFloat).
            output.WriteLine($"{pattern}: libtorch failed at iteration {i} after {clock.Elapsed.TotalSeconds:F1} s and {collections} forced collections: {e.Message.Split('\n')[0]} / {e.Message.Split('\n').ElementAtOrDefault(1)}");
            return 3;
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }

        output.WriteLine($"{pattern}: {iterations} iterations without a crash ({collections} forced collections, {wrong} sampled results wrong) in {clock.Elapsed.TotalSeconds:F1} s");
        return wrong == 0 ? 0 : 1;
    }
}
