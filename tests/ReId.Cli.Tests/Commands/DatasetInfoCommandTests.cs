using System.Text.Json;
using SkiaSharp;

namespace ReId.Cli.Tests.Commands;

public class DatasetInfoCommandTests
{
    private static string WriteMarket()
    {
        // Written by hand (not by `reid synth`): another tool writing the same layout.
        string root = Directory.CreateTempSubdirectory("reid-info").FullName;
        using var bitmap = new SKBitmap(8, 16);
        using var image = SKImage.FromBitmap(bitmap);
        byte[] jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 80).ToArray();
        foreach (var (dir, name) in new[]
        {
            ("bounding_box_train", "0001_c1s1_000001_00.jpg"), ("bounding_box_train", "0001_c2s1_000002_00.jpg"),
            ("bounding_box_train", "0003_c2s1_000003_00.jpg"), ("query", "0004_c1s1_000004_00.jpg"),
            ("bounding_box_test", "0004_c3s1_000005_00.jpg"), ("bounding_box_test", "0000_c1s1_000006_00.jpg"),
            ("bounding_box_test", "0000_c2s1_000007_00.jpg"), ("bounding_box_test", "-1_c1s1_000008_00.jpg"),
        })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
            File.WriteAllBytes(Path.Combine(root, dir, name), jpeg);
        }
        return root;
    }

    [Fact]
    public void JsonGivesTheContractCounts()
    {
        string root = WriteMarket();
        try
        {
            var (code, output, err) = CliRunner.Run("dataset", "info", "--format", "market1501", "--root", root, "--json");
            Assert.Equal(0, code);
            Assert.Equal("", err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            Assert.Equal("market1501", r.GetProperty("format").GetString());
            Assert.Equal(3, r.GetProperty("train").GetProperty("images").GetInt32());
            Assert.Equal(2, r.GetProperty("train").GetProperty("identities").GetInt32());
            Assert.Equal(2, r.GetProperty("train").GetProperty("cameras").GetInt32());
            Assert.Equal(1, r.GetProperty("query").GetProperty("images").GetInt32());
            Assert.Equal(3, r.GetProperty("gallery").GetProperty("images").GetInt32());
            Assert.Equal(2, r.GetProperty("gallery").GetProperty("identities").GetInt32());
            Assert.Equal(3, r.GetProperty("gallery").GetProperty("cameras").GetInt32());
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void LoaderOptionsReachTheReader()
    {
        string root = WriteMarket();
        try
        {
            var (code, _, err) = CliRunner.Run("dataset", "info", "--format", "market1501", "--root", root, "--test-size", "1600");
            Assert.Equal(2, code);
            Assert.Contains("--test-size applies to vehicleid and veriwild only, not 'market1501'", err);
            File.WriteAllBytes(Path.Combine(root, "query", "0005_c1s1_000009_00.jpg"), [1, 2, 3]);
            (code, _, err) = CliRunner.Run("dataset", "info", "--format", "market1501", "--root", root);
            Assert.Equal(2, code);
            Assert.Contains("0005_c1s1_000009_00.jpg", err);
            (code, var output, _) = CliRunner.Run("dataset", "info", "--format", "market1501", "--root", root, "--no-verify", "--json");
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(2, doc.RootElement.GetProperty("query").GetProperty("images").GetInt32());
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void TextOutputIsATable()
    {
        string root = WriteMarket();
        try
        {
            var (code, output, _) = CliRunner.Run("dataset", "info", "--format", "market1501", "--root", root);
            Assert.Equal(0, code);
            Assert.Contains("train           3           2        2", output);
        }
        finally { Directory.Delete(root, true); }
    }

    [Theory]
    [InlineData("--format", "nope", "--root", "/tmp", "unknown dataset format 'nope'")]
    [InlineData("--format", "market1501", "--root", "/no/such/dir", "dataset root '/no/such/dir' does not exist")]
    public void BadInputExitsWithTwoAndOneLine(string a, string b, string c, string d, string expected)
    {
        var (code, output, err) = CliRunner.Run("dataset", "info", a, b, c, d);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void AMissingRequiredOptionExitsWithTwo()
    {
        var (code, _, err) = CliRunner.Run("dataset", "info", "--format", "market1501");
        Assert.Equal(2, code);
        Assert.Contains("--root", err);
    }
}
