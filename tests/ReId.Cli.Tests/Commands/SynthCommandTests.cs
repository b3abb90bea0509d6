using System.Text.Json;

namespace ReId.Cli.Tests.Commands;

public sealed class SynthCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-synth-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("person", "market1501")]
    [InlineData("vehicle", "veri776")]
    [InlineData("person", "msmt17")]
    [InlineData("person", "ltcc")]
    [InlineData("person", "prcc")]
    [InlineData("vehicle", "veriwild")]
    [InlineData("person", "csv")]
    public void JsonSummaryAgreesWithDatasetInfoOnTheWrittenFolder(string kind, string format)
    {
        string output = Path.Combine(_root, format);
        var (code, stdout, _) = CliRunner.Run("synth", "--kind", kind, "--format", format, "--ids", "6", "--out", output, "--seed", "3", "--json");
        Assert.Equal(0, code);
        using var synth = JsonDocument.Parse(stdout);
        var (infoCode, infoOut, infoErr) = CliRunner.Run("dataset", "info", "--format", format, "--root", output, "--json");
        Assert.True(infoCode == 0, infoErr);
        using var info = JsonDocument.Parse(infoOut);
        foreach (string split in new[] { "train", "query", "gallery" })
        foreach (string field in new[] { "images", "identities", "cameras" })
            Assert.Equal(synth.RootElement.GetProperty(split).GetProperty(field).GetInt32(), info.RootElement.GetProperty(split).GetProperty(field).GetInt32());
        Assert.Equal(3, synth.RootElement.GetProperty("trainIdentities").GetInt32());
        Assert.True(synth.RootElement.GetProperty("imagesPerSecond").GetDouble() > 0);
    }

    [Fact]
    public void TextSummaryNamesSplitsAndSpeedAndProgressGoesToStderr()
    {
        var (code, stdout, stderr) = CliRunner.Run("synth", "--format", "market1501", "--ids", "4", "--out", Path.Combine(_root, "m"));
        Assert.Equal(0, code);
        Assert.Contains("train:", stdout);
        Assert.Contains("query:", stdout);
        Assert.Contains("gallery:", stdout);
        Assert.Contains("images/s", stdout);
        Assert.Contains("synth:", stderr);
    }

    [Fact]
    public void KindDefaultsToVehicleForVehicleLayouts()
    {
        var (code, stdout, _) = CliRunner.Run("synth", "--format", "veri776", "--ids", "2", "--out", Path.Combine(_root, "v"), "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("vehicle", doc.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void ClothesChangesPutSeveralClothesIdsIntoLtccNames()
    {
        string output = Path.Combine(_root, "ltcc");
        var (code, _, err) = CliRunner.Run("synth", "--format", "ltcc", "--ids", "4", "--out", output, "--clothes-changes", "3", "--images-per-camera", "3");
        Assert.True(code == 0, err);
        var clothes = Directory.GetFiles(output, "*.png", SearchOption.AllDirectories).Select(f => Path.GetFileName(f).Split('_')[1]).Distinct().Order().ToArray();
        Assert.Equal(["1", "2", "3"], clothes);
    }

    [Theory]
    [InlineData("--kind", "robot", "--kind 'robot'")]
    [InlineData("--format", "duke", "market1501, veri776, msmt17, ltcc, prcc, vehicleid, veriwild, csv")]
    [InlineData("--ids", "1", "Identities")]
    [InlineData("--images-per-camera", "5-2", "--images-per-camera")]
    public void BadInputExitsWithTwoAndOneLine(string option, string value, string expected)
    {
        var args = new List<string> { "synth", "--out", Path.Combine(_root, "bad"), "--ids", "4" };
        int i = args.IndexOf(option);
        if (i >= 0) args[i + 1] = value;
        else args.AddRange([option, value]);
        var (code, stdout, stderr) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }

    [Fact]
    public void NonEmptyOutputFolderIsRefusedWithTwoUnlessOverwrite()
    {
        string output = Path.Combine(_root, "full");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "x.txt"), "x");
        var (code, _, stderr) = CliRunner.Run("synth", "--ids", "4", "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("not empty", stderr);
        Assert.True(File.Exists(Path.Combine(output, "x.txt")));

        Assert.Equal(0, CliRunner.Run("synth", "--ids", "4", "--out", output, "--overwrite").Code);
        Assert.False(File.Exists(Path.Combine(output, "x.txt")));
        Assert.True(Directory.Exists(Path.Combine(output, "bounding_box_test")));
    }
}
