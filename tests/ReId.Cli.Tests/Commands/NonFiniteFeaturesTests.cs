using ReId.MLNet.Features;

namespace ReId.Cli.Tests.Commands;

/// <summary>The hostile input: a NaN in a gallery feature file used to give a result and exit 0.</summary>
public class NonFiniteFeaturesTests
{
    [Fact]
    public void ANaNInAGalleryFeatureFileExitsWithTwoNamingTheFileAndRow()
    {
        string dir = Directory.CreateTempSubdirectory("reid-eval-nan").FullName;
        try
        {
            string q = Path.Combine(dir, "q.npy"), g = Path.Combine(dir, "g.npy");
            FeatureFile.Write(q, new FeatureSet([1, 0, 0, 1], 2, 2, ["/q/a.jpg", "/q/b.jpg"], [1, 2], [1, 1]));
            FeatureFile.Write(g, new FeatureSet([0.8f, 0.6f, 1f, 0.1f, 0f, 1f], 3, 2, ["/g/1.jpg", "/g/2.jpg", "/g/3.jpg"], [2, 1, 2], [2, 2, 2]));
            NpyFile.Write(g, [0.8f, 0.6f, 1f, 0.1f, float.NaN, 1f], 3, 2); // the sidecar stays valid

            var (code, output, err) = CliRunner.Run("eval", "--query-features", q, "--gallery-features", g, "--json");

            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Contains(g, err);
            Assert.Contains("row 2", err);
            Assert.DoesNotContain("   at ", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
