using System.Diagnostics;
using ReId.MLNet.Features;

namespace ReId.Cli.Tests.Commands;

/// <summary>`reid eval` states its memory bound in --help and refuses (exit 2) a job larger than the available memory.</summary>
public class EvalMemoryLimitTests
{
    [Fact]
    public void HelpStatesTheBound()
    {
        var (code, output, _) = CliRunner.Run("eval", "--help");
        Assert.Equal(0, code);
        Assert.Contains("8·(q+g)²", output);
        Assert.Contains("REID_MEMORY_LIMIT", output);
    }

    [Fact]
    public void AJobOverTheLimitExitsWithTwoBeforeItStarts()
    {
        string dir = Directory.CreateTempSubdirectory("reid-eval-mem").FullName;
        try
        {
            string q = Path.Combine(dir, "q.npy"), g = Path.Combine(dir, "g.npy");
            FeatureFile.Write(q, new FeatureSet(new float[200 * 4], 200, 4, [.. Enumerable.Range(0, 200).Select(i => $"q{i}.jpg")], new int[200], new int[200]));
            FeatureFile.Write(g, new FeatureSet(new float[300 * 4], 300, 4, [.. Enumerable.Range(0, 300).Select(i => $"g{i}.jpg")], new int[300], new int[300]));
            // A separate process: the limit is an environment variable, which must not leak into tests running in parallel here.
            var psi = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "reid.dll"), "eval", "--query-features", q, "--gallery-features", g, "--rerank", "--json"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            psi.Environment["REID_MEMORY_LIMIT"] = "1M";
            using var process = Process.Start(psi)!;
            string output = process.StandardOutput.ReadToEnd(), err = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(2, process.ExitCode);
            Assert.Equal("", output);
            Assert.Contains("200 queries against 300 gallery items with k-reciprocal re-ranking", err);
            Assert.Contains("REID_MEMORY_LIMIT", err);
            Assert.DoesNotContain("   at ", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
