using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using SkiaSharp;

namespace ReId.MLNet.Tests.Data.Synthetic;

public sealed class SyntheticDatasetGeneratorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-synth-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static SyntheticDatasetOptions Options(string format, int ids = 12, int seed = 7, SyntheticKind kind = SyntheticKind.Person,
        int clothes = 1, int threads = 0) => new()
    {
        Format = format, Kind = kind, Identities = ids, Seed = seed, ClothesChanges = clothes,
        ImagesPerIdentityPerCamera = (2, 3), MaxDegreeOfParallelism = threads,
    };

    private string Generate(SyntheticDatasetOptions options, string name)
    {
        string dir = Path.Combine(_root, name);
        SyntheticDatasetGenerator.Generate(options, dir);
        return dir;
    }

    private static string TreeHash(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(dir, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static string[] Names(string dir) => Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).ToArray();

    private static (int Id, int Cam) MarketKey(string name)
    {
        var m = Regex.Match(name, @"^(-?\d+)_c(\d)s1_");
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
    }

    [Theory]
    [InlineData("market1501", SyntheticKind.Person)]
    [InlineData("veri776", SyntheticKind.Vehicle)]
    [InlineData("msmt17", SyntheticKind.Person)]
    [InlineData("ltcc", SyntheticKind.Person)]
    [InlineData("prcc", SyntheticKind.Person)]
    [InlineData("vehicleid", SyntheticKind.Vehicle)]
    [InlineData("veriwild", SyntheticKind.Vehicle)]
    [InlineData("csv", SyntheticKind.Person)]
    public void SameSeedGivesByteIdenticalFilesRegardlessOfThreadsAndAnotherSeedDiffers(string format, SyntheticKind kind)
    {
        string a = Generate(Options(format, ids: 6, kind: kind), "a");
        string b = Generate(Options(format, ids: 6, kind: kind, threads: 1), "b");
        string c = Generate(Options(format, ids: 6, seed: 8, kind: kind), "c");
        Assert.Equal(TreeHash(a), TreeHash(b));
        Assert.NotEqual(TreeHash(a), TreeHash(c));
    }

    [Fact]
    public void Market1501LayoutHasRealNamesDisjointSplitsDistractorsJunkAndCrossCameraQueries()
    {
        string dir = Generate(Options("market1501", ids: 20), "m");
        var name = new Regex(@"^(-1|\d{4})_c[1-6]s1_\d{6}_\d{2}\.jpg$");
        string[] train = Names(Path.Combine(dir, "bounding_box_train")), query = Names(Path.Combine(dir, "query")),
            gallery = Names(Path.Combine(dir, "bounding_box_test"));
        Assert.All(train.Concat(query).Concat(gallery), n => Assert.Matches(name, n));
        Assert.Equal(["bounding_box_test", "bounding_box_train", "query"], Directory.GetDirectories(dir).Select(d => Path.GetFileName(d)!).Order());

        var trainIds = train.Select(n => MarketKey(n).Id).ToHashSet();
        var testIds = query.Concat(gallery).Select(n => MarketKey(n).Id).Where(id => id > 0).ToHashSet();
        Assert.Equal(10, trainIds.Count);
        Assert.Equal(10, testIds.Count);
        Assert.Empty(trainIds.Intersect(testIds));
        Assert.Contains(gallery, n => n.StartsWith("0000_", StringComparison.Ordinal));
        Assert.Contains(gallery, n => n.StartsWith("-1_c", StringComparison.Ordinal));
        Assert.DoesNotContain(query, n => MarketKey(n).Id <= 0);

        var galleryKeys = gallery.Select(MarketKey).ToList();
        foreach (var (id, cam) in query.Select(MarketKey))
            Assert.Contains(galleryKeys, g => g.Id == id && g.Cam != cam);
        // Every query identity contributes exactly one query per camera it appears in, as in Market-1501.
        Assert.Equal(query.Length, query.Select(MarketKey).Distinct().Count());

        using var bitmap = SKBitmap.Decode(Path.Combine(dir, "query", query[0]));
        Assert.Equal((64, 128), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Veri776LayoutHasNameListsMatchingTheFolders()
    {
        string dir = Generate(Options("veri776", ids: 8, kind: SyntheticKind.Vehicle), "v");
        var name = new Regex(@"^\d{4}_c\d{3}_\d{8}_0\.jpg$");
        foreach (var (folder, list) in new[] { ("image_train", "name_train.txt"), ("image_query", "name_query.txt"), ("image_test", "name_test.txt") })
        {
            string[] files = Names(Path.Combine(dir, folder)).Order(StringComparer.Ordinal).ToArray();
            Assert.NotEmpty(files);
            Assert.All(files, n => Assert.Matches(name, n));
            Assert.Equal(files, File.ReadAllLines(Path.Combine(dir, list)));
        }
        // Vehicle crops differ in size between cameras, as in VeRi-776.
        var sizes = Names(Path.Combine(dir, "image_test")).Select(n =>
        {
            using var codec = SKCodec.Create(Path.Combine(dir, "image_test", n));
            return (codec.Info.Width, codec.Info.Height);
        }).Distinct().Count();
        Assert.True(sizes > 1, "expected several image sizes");
    }

    [Fact]
    public void Msmt17ListsPointIntoPerIdentityFoldersWithCameraInTheThirdField()
    {
        string dir = Generate(Options("msmt17", ids: 10), "s");
        var line = new Regex(@"^(\d{4})/(\d{4})_\d{3}_(\d{2})_\d{4}(morning|noon|afternoon)_\d{4}_0\.jpg (\d+)$");
        foreach (var (list, folder) in new[] { ("list_train.txt", "train"), ("list_val.txt", "train"), ("list_query.txt", "test"), ("list_gallery.txt", "test") })
        {
            foreach (string text in File.ReadAllLines(Path.Combine(dir, list)))
            {
                var m = line.Match(text);
                Assert.True(m.Success, $"{list}: '{text}'");
                Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
                Assert.Equal(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[5].Value));
                Assert.InRange(int.Parse(m.Groups[3].Value), 1, 15);
                Assert.True(File.Exists(Path.Combine(dir, folder, text.Split(' ')[0])), text);
            }
        }
        int listed = new[] { "list_train.txt", "list_val.txt", "list_query.txt", "list_gallery.txt" }.Sum(l => File.ReadAllLines(Path.Combine(dir, l)).Length);
        Assert.Equal(Directory.GetFiles(dir, "*.jpg", SearchOption.AllDirectories).Length, listed);
    }

    [Fact]
    public void LtccWithClothesChangesWritesPngsWithSeveralClothesIdsPerIdentity()
    {
        string dir = Generate(Options("ltcc", ids: 8, clothes: 3), "l");
        var name = new Regex(@"^(\d{3})_([1-3])_c(\d{1,2})_(\d{6})\.png$");
        string[] all = ["train", "query", "test"];
        var matches = all.SelectMany(f => Names(Path.Combine(dir, f))).Select(n => name.Match(n)).ToList();
        Assert.All(matches, m => Assert.True(m.Success, m.Value));
        var clothesPerId = matches.GroupBy(m => m.Groups[1].Value).Select(g => g.Select(m => m.Groups[2].Value).Distinct().Count());
        Assert.All(clothesPerId, c => Assert.InRange(c, 2, 3));
        using var bitmap = SKBitmap.Decode(Directory.GetFiles(Path.Combine(dir, "query"))[0]);
        Assert.Equal((64, 128), (bitmap.Width, bitmap.Height));

        string single = Generate(Options("ltcc", ids: 4), "l1");
        Assert.All(all.SelectMany(f => Names(Path.Combine(single, f))), n => Assert.Equal("1", n.Split('_')[1]));
    }

    [Theory]
    [InlineData("market1501", SyntheticKind.Person)]
    [InlineData("veri776", SyntheticKind.Vehicle)]
    [InlineData("msmt17", SyntheticKind.Person)]
    [InlineData("ltcc", SyntheticKind.Person)]
    [InlineData("prcc", SyntheticKind.Person)]
    [InlineData("vehicleid", SyntheticKind.Vehicle)]
    [InlineData("veriwild", SyntheticKind.Vehicle)]
    [InlineData("csv", SyntheticKind.Person)]
    public void TheDatasetReadersReadTheOutputWithTheReportedCounts(string format, SyntheticKind kind)
    {
        string dir = Path.Combine(_root, format);
        var report = SyntheticDatasetGenerator.Generate(Options(format, ids: 8, kind: kind), dir);
        var data = DatasetFormats.Load(format, dir);
        Assert.Equal(report.Train.Images, data.Train.Count);
        Assert.Equal(report.Query.Images, data.Query.Count);
        Assert.Equal(report.Gallery.Images, data.Gallery.Count);
        Assert.Equal(report.Train.Identities, data.Train.Select(s => s.Identity).Distinct().Count());
        Assert.Equal(report.Gallery.Identities, data.Gallery.Select(s => s.Identity).Distinct().Count());
        Assert.Equal(4, report.TrainIdentities);
        // VehicleID has no cameras; everywhere else a query's identity is in the gallery from another camera.
        foreach (var q in data.Query)
            Assert.Contains(data.Gallery, g => g.Identity == q.Identity && (format == "vehicleid" || g.Camera != q.Camera));
        // MSMT17 numbers train and test identities separately from 0 (different people behind equal numbers).
        if (format != "msmt17")
            Assert.Empty(data.Train.Select(s => s.Identity).Intersect(data.Query.Concat(data.Gallery).Select(s => s.Identity)));
    }

    [Fact]
    public void ProgressReachesTheTotalAndTheReportCountsEveryFile()
    {
        var seen = new List<(long Done, long Total)>();
        var progress = new SynchronousProgress(seen.Add);
        string dir = Path.Combine(_root, "p");
        var report = SyntheticDatasetGenerator.Generate(Options("market1501", ids: 4), dir, progress);
        Assert.Equal((report.TotalImages, report.TotalImages), seen[^1]);
        Assert.Equal(report.TotalImages, Directory.GetFiles(dir, "*.jpg", SearchOption.AllDirectories).Length);
        Assert.Equal(report.TotalImages, report.Train.Images + report.Query.Images + report.Gallery.Images + report.JunkImages);
        Assert.True(report.ImagesPerSecond > 0);
    }

    private sealed class SynchronousProgress(Action<(long, long)> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) { lock (this) report(value); }
    }

    [Fact]
    public void ExistingNonEmptyOutputIsRefusedUnlessOverwriteAndNoPartialFolderIsLeft()
    {
        string dir = Path.Combine(_root, "exists");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "x");
        var e = Assert.Throws<ArgumentException>(() => SyntheticDatasetGenerator.Generate(Options("market1501", ids: 2), dir));
        Assert.Contains("not empty", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "keep.txt")));

        var options = Options("market1501", ids: 2);
        options.Overwrite = true;
        SyntheticDatasetGenerator.Generate(options, dir);
        Assert.False(File.Exists(Path.Combine(dir, "keep.txt")));
        Assert.True(Directory.Exists(Path.Combine(dir, "query")));
        Assert.Empty(Directory.GetDirectories(_root, "exists.partial-*"));
    }

    [Fact]
    public void CancellationLeavesNeitherTheOutputNorAPartialFolder()
    {
        string dir = Path.Combine(_root, "cancelled");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticDatasetGenerator.Generate(Options("market1501", ids: 4), dir, ct: cts.Token));
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetDirectories(_root, "cancelled.partial-*"));
    }

    [Fact]
    public void PrccWritesCameraFoldersWithChangedClothesOnlyInCameraC()
    {
        string dir = Generate(Options("prcc", ids: 6), "prcc");
        var name = new Regex(@"^[ABC]_cropped_rgb\d{3}\.jpg$");
        Assert.All(Directory.GetFiles(Path.Combine(dir, "rgb"), "*.jpg", SearchOption.AllDirectories), f => Assert.Matches(name, Path.GetFileName(f)));
        var data = DatasetFormats.Load("prcc", dir, new DatasetLoadOptions { PrccQuery = "BC" });
        Assert.All(data.Gallery, g => Assert.Equal((1, 1), (g.Camera, g.Clothes)));
        Assert.All(data.Query, q => Assert.Equal(q.Camera == 3 ? 2 : 1, q.Clothes));
        Assert.Contains(data.Query, q => q.Camera == 2);
        Assert.True(Directory.GetDirectories(Path.Combine(dir, "rgb", "val")).Length > 0);
    }

    [Fact]
    public void VehicleIdAndVeriWildTestListsAreNestedIdentitySubsets()
    {
        string vid = Generate(Options("vehicleid", ids: 10, kind: SyntheticKind.Vehicle), "vid");
        string[] l800 = File.ReadAllLines(Path.Combine(vid, "train_test_split", "test_list_800.txt"));
        Assert.Equal(l800, File.ReadAllLines(Path.Combine(vid, "train_test_split", "test_list_2400.txt")));
        Assert.All(l800, l => Assert.Matches(@"^\d{7} \d+$", l));
        string wild = Generate(Options("veriwild", ids: 10, kind: SyntheticKind.Vehicle), "wild");
        string[] q = File.ReadAllLines(Path.Combine(wild, "train_test_split", "test_3000_query.txt"));
        Assert.Equal(5, q.Length);
        Assert.All(q, l => Assert.Matches(@"^\d{5}/\d{6}$", l));
        Assert.StartsWith("id/image;", File.ReadLines(Path.Combine(wild, "train_test_split", "vehicle_info.txt")).First());
    }

    [Theory]
    [InlineData("duke", 10, 1, "Format", "market1501, veri776, msmt17, ltcc, prcc, vehicleid, veriwild, csv")]
    [InlineData("market1501", 1, 1, "Identities", "between 2 and")]
    [InlineData("ltcc", 10, 0, "ClothesChanges", "between 1 and 20")]
    public void BadOptionsThrowNamingTheOptionAndTheAcceptedValues(string format, int ids, int clothes, string option, string accepted)
    {
        var e = Assert.Throws<ArgumentException>(() => SyntheticDatasetGenerator.Generate(Options(format, ids: ids, clothes: clothes), Path.Combine(_root, "bad")));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(accepted, e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }
}
