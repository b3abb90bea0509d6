using Microsoft.ML;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;

namespace ReId.MLNet.Tests.Data.Datasets;

public class MarketStyleDatasetTests
{
    private static DatasetFolder Market()
    {
        var d = new DatasetFolder();
        d.Image("bounding_box_train/0002_c1s1_000451_03.jpg");
        d.Image("bounding_box_train/0002_c2s1_000551_01.jpg");
        d.Image("bounding_box_train/0007_c3s1_000101_01.jpg");
        d.Image("bounding_box_train/-1_c1s1_000001_00.jpg");          // junk in train is dropped too
        d.Text("bounding_box_train/Thumbs.db", "x");                   // stray non-image file
        d.Image("query/0010_c1s2_000100_00.jpg");
        d.Image("bounding_box_test/0010_c2s2_000200_00.jpg");
        d.Image("bounding_box_test/0000_c3s2_000300_00.jpg");          // distractor stays
        d.Image("bounding_box_test/-1_c1s2_000400_00.jpg");            // junk dropped
        d.Image("bounding_box_test/0011_c6s3_000500_02.jpg");
        return d;
    }

    [Fact]
    public void ReadsSplitsDropsJunkKeepsDistractorsAndSkipsStrayFiles()
    {
        using var d = Market();
        var ds = DatasetFormats.Load("market1501", d.Root);
        Assert.Equal(3, ds.Train.Count);
        Assert.Equal([2, 2, 7], ds.Train.Select(s => s.Identity));
        Assert.Equal([1, 2, 3], ds.Train.Select(s => s.Camera));
        Assert.Equal([0, 0, 1], ds.Train.Select(s => s.Label));
        Assert.Equal(2, ds.NumTrainIdentities);
        Assert.Single(ds.Query);
        Assert.Equal([0, 10, 11], ds.Gallery.Select(s => s.Identity).Order());
        Assert.All(ds.Gallery, s => Assert.Equal(-1, s.Label));
        Assert.All(ds.All, s => Assert.True(Path.IsPathRooted(s.ImagePath) && File.Exists(s.ImagePath)));
        Assert.Equal(DatasetSplit.Query, ds.Query[0].Split);
    }

    [Fact]
    public void SummaryCountsIdentitiesWithTheDistractorAsOne()
    {
        using var d = Market();
        var summary = DatasetSummary.Of(DatasetFormats.Load("market1501", d.Root));
        Assert.Equal("{\"format\":\"market1501\",\"train\":{\"images\":3,\"identities\":2,\"cameras\":3},\"query\":{\"images\":1,\"identities\":1,\"cameras\":1},\"gallery\":{\"images\":3,\"identities\":3,\"cameras\":3},\"train_intra_camera_identities\":{\"1\":1,\"2\":1,\"3\":1}}", summary.ToJson());
    }

    [Fact]
    public void DukeNamesAreAccepted()
    {
        using var d = new DatasetFolder();
        d.Image("bounding_box_train/0001_c2_f0046182.jpg");
        d.Folder("query");
        d.Image("bounding_box_test/0005_c1_f0000001.jpg");
        var ds = DatasetFormats.Load("dukemtmc", d.Root);
        Assert.Equal((1, 2), (ds.Train[0].Identity, ds.Train[0].Camera));
        Assert.Equal("dukemtmc", ds.Format);
    }

    [Fact]
    public void AMalformedNameIsNamedWithTheExpectedPattern()
    {
        using var d = Market();
        string bad = d.Image("query/person7.jpg");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("market1501", d.Root));
        Assert.Equal($"market1501: file name '{bad}' does not fit the expected pattern {MarketStyleDataset.Expected}", e.Message);
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        using var d = Market();
        Directory.Delete(Path.Combine(d.Root, "query"), true);
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("market1501", d.Root));
        Assert.Equal($"market1501: folder '{Path.Combine(d.Root, "query")}' is missing (expected the market1501 layout under '{d.Root}')", e.Message);
    }

    [Fact]
    public void AnUnreadableImageIsNamed()
    {
        using var d = Market();
        string broken = Path.Combine(d.Root, "bounding_box_test", "0012_c1s1_000001_00.jpg");
        File.WriteAllText(broken, "this is text, not a JPEG");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("market1501", d.Root));
        Assert.Equal($"image '{broken}' is unreadable: it is not a JPEG, PNG, BMP or WEBP file", e.Message);
        File.WriteAllBytes(broken, []);
        e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("market1501", d.Root));
        Assert.Contains("the file is empty", e.Message);
        Assert.Equal(4, DatasetFormats.Load("market1501", d.Root, new DatasetLoadOptions { VerifyImages = false }).Gallery.Count);
    }

    [Fact]
    public void UnknownFormatAndMissingRootAreClear()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetFormats.Load("market", "/nowhere"));
        Assert.StartsWith("unknown dataset format 'market'; expected one of: market1501, dukemtmc", e.Message);
        var m = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("veri776", "/nowhere/at/all"));
        Assert.Equal("dataset root '/nowhere/at/all' does not exist (expected a folder in the veri776 layout)", m.Message);
    }

    [Fact]
    public void DataViewHasTheContractColumns()
    {
        using var d = Market();
        var ml = new MLContext(seed: 1);
        var view = DatasetFormats.Load("market1501", d.Root).ToDataView(ml, DatasetSplit.Train);
        Assert.Equal(["ImagePath", "Identity", "Camera", "Clothes", "Split", "Label"], view.Schema.Select(c => c.Name));
        var rows = ml.Data.CreateEnumerable<ReIdImageRow>(view, reuseRowObject: false).ToList();
        Assert.Equal(["train", "train", "train"], rows.Select(r => r.Split));
        Assert.Equal([0, 0, 1], rows.Select(r => r.Label));
    }
}
