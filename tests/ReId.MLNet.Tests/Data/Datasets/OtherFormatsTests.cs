using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;

namespace ReId.MLNet.Tests.Data.Datasets;

public class OtherFormatsTests
{
    [Fact]
    public void Veri776ReadsVehiclesAndCameras()
    {
        using var d = new DatasetFolder();
        d.Image("image_train/0002_c002_00030600_0.jpg");
        d.Image("image_train/0002_c003_00030610_1.jpg");
        d.Image("image_query/0005_c001_00011111_0.jpg");
        d.Image("image_test/0005_c004_00011121_0.jpg");
        d.Text("name_train.txt", "0002_c002_00030600_0.jpg", "0002_c003_00030610_1.jpg");
        var ds = DatasetFormats.Load("veri776", d.Root);
        Assert.Equal([2, 3], ds.Train.Select(s => s.Camera));
        Assert.Equal(1, ds.NumTrainIdentities);
        Assert.Equal(4, ds.Gallery[0].Camera);

        d.Image("image_train/0009_c005_00000001_0.jpg");
        Assert.Equal(2, DatasetFormats.Load("veri776", d.Root).Train.Count);
        d.Text("name_train.txt", "0002_c002_00030600_0.jpg", "0009_c005_00000001_0.jpg", "0002_c009_00000002_0.jpg");
        var missing = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("veri776", d.Root));
        Assert.Equal($"veri776: image '{Path.Combine(d.Root, "image_train", "0002_c009_00000002_0.jpg")}' listed on line 3 of '{Path.Combine(d.Root, "name_train.txt")}' does not exist", missing.Message);
        File.Delete(Path.Combine(d.Root, "name_train.txt"));
        Assert.Equal([2, 2, 9], DatasetFormats.Load("veri776", d.Root).Train.Select(s => s.Identity));

        string bad = d.Image("image_test/car_c004.jpg");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("veri776", d.Root));
        Assert.StartsWith($"veri776: file name '{bad}' does not fit the expected pattern '<identity>_c<camera>_<time>_<n>.jpg'", e.Message);
    }

    [Fact]
    public void Msmt17ReadsListsCombinesTrainAndValAndParsesCameras()
    {
        using var d = new DatasetFolder();
        d.Image("train/0000/0000_000_01_0303morning_0015_0.jpg");
        d.Image("train/0000/0000_001_05_0303morning_0016_0.jpg");
        d.Image("train/0001/0001_000_02_0303noon_0015_0.jpg");
        d.Image("test/0000/0000_000_03_0303morning_0015_0.jpg");
        d.Image("test/0000/0000_001_07_0303afternoon_0020_1.jpg");
        d.Text("list_train.txt", "0000/0000_000_01_0303morning_0015_0.jpg 0", "0001/0001_000_02_0303noon_0015_0.jpg 1");
        d.Text("list_val.txt", "0000/0000_001_05_0303morning_0016_0.jpg 0");
        d.Text("list_query.txt", "0000/0000_000_03_0303morning_0015_0.jpg 0");
        d.Text("list_gallery.txt", "0000/0000_001_07_0303afternoon_0020_1.jpg 0", "");
        var ds = DatasetFormats.Load("msmt17", d.Root);
        Assert.Equal([1, 2, 5], ds.Train.Select(s => s.Camera));
        Assert.Equal(2, DatasetFormats.Load("msmt17", d.Root, new DatasetLoadOptions { Msmt17CombineTrainVal = false }).Train.Count);
        Assert.Equal(3, ds.Query[0].Camera);
        Assert.Equal(7, ds.Gallery[0].Camera);

        d.Text("list_query.txt", "0000/0000_000_03_0303morning_0015_0.jpg");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("msmt17", d.Root));
        Assert.Equal($"msmt17: line 1 of '{Path.Combine(d.Root, "list_query.txt")}' is '0000/0000_000_03_0303morning_0015_0.jpg'; expected '<relative path> <identity>' (e.g. '0000/0000_000_01_0303morning_0015_0.jpg 0')", e.Message);
        File.Delete(Path.Combine(d.Root, "list_query.txt"));
        e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("msmt17", d.Root));
        Assert.Contains("list file", e.Message);
        Assert.Contains("list_query.txt", e.Message);
    }

    [Fact]
    public void LtccReadsClothes()
    {
        using var d = new DatasetFolder();
        d.Image("train/094_1_c9_015923.png");
        d.Image("train/094_2_c3_015924.png");
        d.Image("query/010_1_c1_000001.png");
        d.Image("test/010_3_c2_000002.png");
        var ds = DatasetFormats.Load("ltcc", d.Root);
        Assert.Equal([1, 2], ds.Train.Select(s => s.Clothes));
        Assert.Equal([9, 3], ds.Train.Select(s => s.Camera));
        Assert.Equal(3, ds.Gallery[0].Clothes);
    }

    [Fact]
    public void VehicleIdSplitsOneGalleryImagePerIdentityRepeatablyPerTrial()
    {
        using var d = new DatasetFolder();
        var train = new List<string>();
        var test = new List<string>();
        for (int i = 1; i <= 6; i++) { d.Image($"image/{i:D5}.jpg"); train.Add($"{i:D5} {(i + 1) / 2}"); }
        for (int i = 7; i <= 18; i++) { d.Image($"image/{i:D5}.jpg"); test.Add($"{i:D5} {100 + (i - 7) / 4}"); }
        d.Text("train_test_split/train_list.txt", [.. train]);
        d.Text("train_test_split/test_list_800.txt", [.. test]);
        var a = DatasetFormats.Load("vehicleid", d.Root, new DatasetLoadOptions { VehicleIdTrial = 0 });
        Assert.Equal(3, a.NumTrainIdentities);
        Assert.Equal(3, a.Gallery.Count);
        Assert.Equal([100, 101, 102], a.Gallery.Select(s => s.Identity));
        Assert.Equal(9, a.Query.Count);
        Assert.All(a.All, s => Assert.Equal(-1, s.Camera));
        var again = DatasetFormats.Load("vehicleid", d.Root, new DatasetLoadOptions { VehicleIdTrial = 0 });
        Assert.Equal(a.Gallery.Select(s => s.ImagePath), again.Gallery.Select(s => s.ImagePath));
        var trials = Enumerable.Range(0, 8).Select(t => string.Join(",", DatasetFormats.Load("vehicleid", d.Root, new DatasetLoadOptions { VehicleIdTrial = t }).Gallery.Select(s => s.ImagePath))).Distinct().Count();
        Assert.True(trials > 1, "different trials pick different gallery images");
        var seeded = DatasetFormats.Load("vehicleid", d.Root, new DatasetLoadOptions { VehicleIdTrial = 3, VehicleIdSeed = 7 });
        ulong state = (7UL << 32) | 3UL;
        var expected = Enumerable.Range(0, 3).Select(g => $"{7 + 4 * g + (int)(SplitMix64(ref state) % 4):D5}.jpg");
        Assert.Equal(expected, seeded.Gallery.Select(s => Path.GetFileName(s.ImagePath)));
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("vehicleid", d.Root, new DatasetLoadOptions { VehicleIdTestSize = 1600 }));
        Assert.Contains("test_list_1600.txt", e.Message);
    }

    /// <summary>Independent SplitMix64 (Steele et al.) so the VehicleID trial split is pinned to a cross-runtime definition.</summary>
    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [Fact]
    public void VeriWildReadsCamerasFromVehicleInfo()
    {
        using var d = new DatasetFolder();
        d.Image("images/00001/000001.jpg");
        d.Image("images/00001/000002.jpg");
        d.Image("images/00002/000003.jpg");
        d.Image("images/00002/000004.jpg");
        d.Text("train_test_split/vehicle_info.txt", "id/image;Camera ID;Time;Model;Type;Color",
            "00001/000001;12;2018-03-01 12:00:00;Audi;SUV;white", "00001/000002;14;t;m;t;c", "00002/000003;3;t;m;t;c", "00002/000004;5;t;m;t;c");
        d.Text("train_test_split/train_list.txt", "00001/000001", "00001/000002");
        d.Text("train_test_split/test_3000_query.txt", "00002/000003");
        d.Text("train_test_split/test_3000.txt", "00002/000004");
        var ds = DatasetFormats.Load("veriwild", d.Root);
        Assert.Equal([12, 14], ds.Train.Select(s => s.Camera));
        Assert.Equal((2, 3), (ds.Query[0].Identity, ds.Query[0].Camera));
        File.Move(Path.Combine(d.Root, "train_test_split", "test_3000.txt"), Path.Combine(d.Root, "train_test_split", "test_3000_id.txt"));
        Assert.Equal(5, DatasetFormats.Load("veriwild", d.Root).Gallery[0].Camera);
        d.Text("train_test_split/test_3000.txt", "00002/000009");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("veriwild", d.Root));
        Assert.Equal($"veriwild: image '00002/000009' (line 1 of '{Path.Combine(d.Root, "train_test_split", "test_3000.txt")}') has no camera in vehicle_info.txt", e.Message);
    }

    [Fact]
    public void PrccUsesCameraLettersAndClothes()
    {
        using var d = new DatasetFolder();
        d.Image("rgb/train/001/A_cropped_rgb001.jpg");
        d.Image("rgb/train/001/C_cropped_rgb002.jpg");
        d.Image("rgb/val/002/B_cropped_rgb001.jpg");
        d.Image("rgb/test/A/003/cropped_rgb001.jpg");
        d.Image("rgb/test/B/003/cropped_rgb002.jpg");
        d.Image("rgb/test/C/003/cropped_rgb003.jpg");
        var ds = DatasetFormats.Load("prcc", d.Root);
        Assert.Equal([(1, 1), (3, 2)], ds.Train.Select(s => (s.Camera, s.Clothes)));
        Assert.Equal((3, 2), (ds.Query.Single().Camera, ds.Query.Single().Clothes));
        Assert.Equal((1, 1), (ds.Gallery.Single().Camera, ds.Gallery.Single().Clothes));
        Assert.Equal(2, DatasetFormats.Load("prcc", d.Root, new DatasetLoadOptions { PrccQuery = "BC" }).Query.Count);
        d.Image("rgb/train/001/X_cropped_rgb009.jpg");
        Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("prcc", d.Root));
    }

    [Fact]
    public void CsvReadsUserDataWithOptionalClothesAndNamesBadLines()
    {
        using var d = new DatasetFolder();
        d.Image("imgs/a.jpg");
        d.Image("imgs/b.jpg");
        d.Image("imgs/c.png");
        d.Text("train.csv", "path,identity,camera,clothes", "imgs/a.jpg,5,1,2", "imgs/b.jpg,6,2,1");
        d.Text("query.csv", "path,identity,camera", "imgs/c.png,7,1");
        d.Text("gallery.csv", "path,identity,camera", "imgs/a.jpg,7,2");
        var ds = DatasetFormats.Load("csv", d.Root);
        Assert.Equal([2, 1], ds.Train.Select(s => s.Clothes));
        Assert.Equal(-1, ds.Query[0].Clothes);
        d.Text("query.csv", "path,identity,camera", "imgs/c.png,seven,1");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("csv", d.Root));
        Assert.StartsWith($"csv: line 2 of '{Path.Combine(d.Root, "query.csv")}' is 'imgs/c.png,seven,1'", e.Message);
        d.Text("query.csv", "file,id,cam");
        e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("csv", d.Root));
        Assert.Contains("expected the header 'path,identity,camera'", e.Message);
    }

    [Fact]
    public void CsvReadsAnOptionalViewColumnInEitherOrderWithClothes()
    {
        using var d = new DatasetFolder();
        d.Image("imgs/a.jpg");
        d.Image("imgs/b.jpg");
        d.Text("train.csv", "path,identity,camera,view,clothes", "imgs/a.jpg,5,1,3,2", "imgs/b.jpg,6,2,0,1");
        d.Text("query.csv", "path,identity,camera,view", "imgs/a.jpg,7,1,4");
        d.Text("gallery.csv", "path,identity,camera", "imgs/b.jpg,7,2");
        var ds = DatasetFormats.Load("csv", d.Root);
        Assert.Equal([(3, 2), (0, 1)], ds.Train.Select(s => (s.View, s.Clothes)));
        Assert.Equal((4, -1), (ds.Query[0].View, ds.Query[0].Clothes));
        Assert.Equal(-1, ds.Gallery[0].View);
        d.Text("query.csv", "path,identity,camera,view,view", "imgs/a.jpg,7,1,4,4");
        Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("csv", d.Root));
        d.Text("query.csv", "path,identity,camera,view", "imgs/a.jpg,7,1,left");
        var e = Assert.Throws<ReIdDataException>(() => DatasetFormats.Load("csv", d.Root));
        Assert.Contains("integer identity, camera, view", e.Message);
    }
}
