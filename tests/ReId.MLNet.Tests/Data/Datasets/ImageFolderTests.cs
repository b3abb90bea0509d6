using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Tests.Pipelines;

namespace ReId.MLNet.Tests.Data.Datasets;

public class ImageFolderTests
{
    [Fact]
    public void ListsTheImagesInOrdinalOrderWithMarketStyleLabelsElseMinusOne()
    {
        using var data = new PipelineTestData();
        data.SolidImage("0002_c3s1_000010_00.png", 4, 4, 10, 20, 30);
        data.SolidImage("0001_c1s1_000001_00.png", 4, 4, 10, 20, 30);
        data.SolidImage("-1_c2s1_000001_00.png", 4, 4, 10, 20, 30);
        data.SolidImage("other.png", 4, 4, 10, 20, 30);
        data.SolidImage("0003_c2_f0046182.png", 4, 4, 10, 20, 30); // DukeMTMC's form
        File.WriteAllText(Path.Combine(data.ImageDir, "0004_c1s1_000001_00.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(data.ImageDir, "sub"));
        File.Copy(Path.Combine(data.ImageDir, "other.png"), Path.Combine(data.ImageDir, "sub", "0005_c1s1_000001_00.png"));

        var samples = ImageFolder.ReadSamples(data.ImageDir);

        Assert.Equal(["-1_c2s1_000001_00.png", "0001_c1s1_000001_00.png", "0002_c3s1_000010_00.png", "0003_c2_f0046182.png", "other.png"],
            samples.Select(s => Path.GetFileName(s.ImagePath)));
        Assert.Equal([-1, 1, 2, 3, -1], samples.Select(s => s.Identity));
        Assert.Equal([2, 1, 3, 2, -1], samples.Select(s => s.Camera));
        Assert.All(samples, s => Assert.True(Path.IsPathFullyQualified(s.ImagePath) && File.Exists(s.ImagePath)));
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.ReadSamples("/nowhere/images"));
        Assert.Contains("/nowhere/images", e.Message);
    }

    [Theory]
    [InlineData("0002_c1s1_000451_03.jpg", true, 2, 1)]
    [InlineData("0001_c2_f0046182.jpg", true, 1, 2)]
    [InlineData("-1_c6s1_000001_00.jpg", true, -1, 6)]
    [InlineData("99999999999_c1s1_000001_00.jpg", false, -1, -1)] // does not fit an int
    [InlineData("photo_0001.jpg", false, -1, -1)]
    public void TryParseNameReadsIdentityAndCamera(string name, bool parsed, int identity, int camera)
    {
        Assert.Equal(parsed, MarketStyleDataset.TryParseName(name, out int id, out int cam));
        Assert.Equal((identity, camera), (id, cam));
    }
}
