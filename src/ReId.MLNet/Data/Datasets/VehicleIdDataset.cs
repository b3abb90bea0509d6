using System.Globalization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>VehicleID layout: image/&lt;imgid&gt;.jpg, train_test_split/train_list.txt and test_list_800|1600|2400.txt (lines <c>imgid vehicleid</c>).
/// No cameras (Camera = -1). The standard protocol picks one random image per test identity as gallery and the rest as queries;
/// <see cref="DatasetLoadOptions.VehicleIdTrial"/> and <see cref="DatasetLoadOptions.VehicleIdSeed"/> choose a repeatable split.</summary>
public sealed class VehicleIdDataset : IReIdDatasetReader
{
    private const string ExpectedLine = "'<image id> <vehicle id>' (e.g. '0004 1')";

    public string Format => "vehicleid";

    public ReIdDataset Read(string root, DatasetLoadOptions options)
    {
        if (options.VehicleIdTestSize is not (800 or 1600 or 2400))
            throw new ArgumentException($"VehicleIdTestSize is {options.VehicleIdTestSize}; expected 800, 1600 or 2400", nameof(options));
        string imageDir = DatasetFiles.RequireDirectory(root, "image", Format);
        var train = ReadList(DatasetFiles.RequireFile(root, Path.Combine("train_test_split", "train_list.txt"), Format), imageDir, options);
        var test = ReadList(DatasetFiles.RequireFile(root, Path.Combine("train_test_split", $"test_list_{options.VehicleIdTestSize}.txt"), Format), imageDir, options);
        var (query, gallery) = SplitTrial(test, options.VehicleIdTrial, options.VehicleIdSeed);
        return new ReIdDataset(Format, root, train, query, gallery);
    }

    /// <summary>The query/gallery split of one trial: per identity one image (seeded by trial and seed) goes to the gallery, the rest are queries.</summary>
    public static (List<ReIdSample> Query, List<ReIdSample> Gallery) SplitTrial(IReadOnlyList<ReIdSample> test, int trial, int seed)
    {
        // A self-contained SplitMix64 stream keyed by (seed, trial): HashCode is randomised per process and System.Random's seeded
        // sequence is not promised across .NET versions, so neither would give the same trial on another machine or runtime.
        ulong state = ((ulong)(uint)seed << 32) | (uint)trial;
        var query = new List<ReIdSample>();
        var gallery = new List<ReIdSample>();
        foreach (var group in test.GroupBy(s => s.Identity).OrderBy(g => g.Key))
        {
            var items = group.ToList();
            int pick = (int)(NextSplitMix64(ref state) % (ulong)items.Count);
            for (int i = 0; i < items.Count; i++) (i == pick ? gallery : query).Add(items[i]);
        }
        return (query, gallery);
    }

    private static ulong NextSplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private List<ReIdSample> ReadList(string listFile, string imageDir, DatasetLoadOptions options)
    {
        var list = new List<ReIdSample>();
        foreach (var (lineNumber, text) in DatasetFiles.Lines(listFile))
        {
            string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new ReIdDataException($"{Format}: line {lineNumber} of '{listFile}' is '{text}'; expected {ExpectedLine}");
            string path = DatasetFiles.ListedPath(imageDir, parts[0] + ".jpg", listFile, lineNumber, Format);
            if (!File.Exists(path))
                throw new ReIdDataException($"{Format}: image '{path}' listed on line {lineNumber} of '{listFile}' does not exist");
            if (options.VerifyImages) DatasetFiles.VerifyImage(path);
            list.Add(new ReIdSample(path, id, -1, DatasetSplit.Train));
        }
        return list;
    }
}
