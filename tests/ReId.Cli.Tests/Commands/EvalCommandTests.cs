using System.Text.Json;
using ReId.MLNet.Features;

namespace ReId.Cli.Tests.Commands;

public class EvalCommandTests
{
    private static (string Dir, string Q, string G) Write()
    {
        string dir = Directory.CreateTempSubdirectory("reid-eval").FullName;
        string q = Path.Combine(dir, "q.npy"), g = Path.Combine(dir, "g.npy");
        // Query A=(1,0) id 1 cam 1; query B=(0,1) id 2 cam 1. Gallery: (0.8,0.6) id 2, (1,0.1) id 1, (0,1) id 2, all cam 2.
        // Query A ranks id1 first: AP 1. Query B ranks (0,1) id2, then (0.8,0.6) id2: AP 1. Perfect.
        FeatureFile.Write(q, new FeatureSet([1, 0, 0, 1], 2, 2, ["/q/a.jpg", "/q/b.jpg"], [1, 2], [1, 1]));
        FeatureFile.Write(g, new FeatureSet([0.8f, 0.6f, 1f, 0.1f, 0f, 1f], 3, 2, ["/g/1.jpg", "/g/2.jpg", "/g/3.jpg"], [2, 1, 2], [2, 2, 2]));
        return (dir, q, g);
    }

    [Fact]
    public void JsonHasTheContractFields()
    {
        var (dir, q, g) = Write();
        try
        {
            var (code, output, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g, "--max-rank", "3", "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            Assert.Equal(1.0, r.GetProperty("mAP").GetDouble(), 9);
            Assert.Equal(1.0, r.GetProperty("mINP").GetDouble(), 9);
            Assert.Equal(1.0, r.GetProperty("rank1").GetDouble(), 9);
            Assert.Equal(2, r.GetProperty("validQueries").GetInt32());
            Assert.Equal(3, r.GetProperty("cmc").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void HandComputedImperfectCase()
    {
        var (dir, q, g) = Write();
        try
        {
            // Move query B to (0.9, 0.5): it now ranks g2 (id 1) between its two true matches? Cosine: g1 (0.8,0.6) closest,
            // then g2 (1,0.1), then g3 (0,1): matches at ranks 1 and 3 → AP (1 + 2/3)/2 = 5/6; mAP = (1 + 5/6)/2 = 11/12.
            FeatureFile.Write(q, new FeatureSet([1, 0, 0.9f, 0.5f], 2, 2, ["/q/a.jpg", "/q/b.jpg"], [1, 2], [1, 1]));
            var (code, output, _) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g, "--json");
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(11.0 / 12, doc.RootElement.GetProperty("mAP").GetDouble(), 6);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadInputExitsWithTwoNamingTheProblem()
    {
        var (dir, q, g) = Write();
        try
        {
            File.Delete(Path.ChangeExtension(g, ".csv"));
            var (code, _, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g);
            Assert.Equal(2, code);
            Assert.Contains("g.csv", err);
            (code, _, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", Path.Combine(dir, "none.npy"));
            Assert.Equal(2, code);
            Assert.Contains("none.npy", err);
            (code, _, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", q, "--metric", "manhattan");
            Assert.Equal(2, code);
            Assert.Contains("--metric 'manhattan'", err);
            (code, _, err) = CliRunner.Run("eval");
            Assert.Equal(2, code);
            Assert.Contains("nothing to evaluate", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void VehicleIdTrialsAverageOverRedrawnGalleries()
    {
        var (dir, q, g) = Write();
        try
        {
            var (code, output, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g, "--protocol", "vehicleid", "--trials", "4", "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.InRange(doc.RootElement.GetProperty("mAP").GetDouble(), 0, 1);
            Assert.Equal(3, doc.RootElement.GetProperty("validQueries").GetInt32()); // 5 images, 2 identities → 2 gallery, 3 queries
            (code, _, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g, "--trials", "4");
            Assert.Equal(2, code);
            Assert.Contains("--trials goes with --protocol vehicleid", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
