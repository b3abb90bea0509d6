using System.Globalization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>VeRi-Wild layout: images/&lt;vid&gt;/&lt;imgid&gt;.jpg, train_test_split/train_list.txt, test_3000|5000|10000.txt (gallery) and
/// test_*_query.txt (lines <c>vid/imgid</c>; fast-reid's renamed train_list_start0.txt, test_*_id.txt and test_*_id_query.txt are accepted too); cameras from train_test_split/vehicle_info.txt (<c>vid/imgid;camera;time;model;type;color</c>, one header line).</summary>
public sealed class VeriWildDataset : IReIdDatasetReader
{
    private const string ExpectedLine = "'<vehicle id>/<image id>' (e.g. '00001/000001')";
    private const string ExpectedInfo = "'<vehicle id>/<image id>;<camera>;<time>;<model>;<type>;<color>'";

    public string Format => "veriwild";

    public ReIdDataset Read(string root, DatasetLoadOptions options)
    {
        if (options.VeriWildTestSize is not (3000 or 5000 or 10000))
            throw new ArgumentException($"VeriWildTestSize is {options.VeriWildTestSize}; expected 3000, 5000 or 10000", nameof(options));
        string imageDir = DatasetFiles.RequireDirectory(root, "images", Format);
        int size = options.VeriWildTestSize;
        var cameras = ReadCameras(SplitFile(root, "vehicle_info.txt"));
        return new ReIdDataset(Format, root,
            ReadList(SplitFile(root, "train_list.txt", "train_list_start0.txt"), imageDir, cameras, options),
            ReadList(SplitFile(root, $"test_{size}_query.txt", $"test_{size}_id_query.txt"), imageDir, cameras, options),
            ReadList(SplitFile(root, $"test_{size}.txt", $"test_{size}_id.txt"), imageDir, cameras, options));
    }

    /// <summary>A file of train_test_split/: the official release's name, else the renamed copy fast-reid's loader expects.</summary>
    private string SplitFile(string root, string name, string? alternative = null)
    {
        string alt = alternative is null ? "" : Path.Combine(root, "train_test_split", alternative);
        return alternative is not null && !File.Exists(Path.Combine(root, "train_test_split", name)) && File.Exists(alt)
            ? alt
            : DatasetFiles.RequireFile(root, Path.Combine("train_test_split", name), Format);
    }

    private Dictionary<string, int> ReadCameras(string infoFile)
    {
        var cameras = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (lineNumber, text) in DatasetFiles.Lines(infoFile).Skip(1))
        {
            string[] parts = text.Split(';');
            if (parts.Length < 2 || !parts[0].Contains('/') || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int cam))
                throw new ReIdDataException($"{Format}: line {lineNumber} of '{infoFile}' is '{text}'; expected {ExpectedInfo}");
            cameras[parts[0].Trim()] = cam;
        }
        return cameras;
    }

    private List<ReIdSample> ReadList(string listFile, string imageDir, Dictionary<string, int> cameras, DatasetLoadOptions options)
    {
        var list = new List<ReIdSample>();
        foreach (var (lineNumber, text) in DatasetFiles.Lines(listFile))
        {
            string key = text.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) ? text[..^4] : text;
            string[] parts = key.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new ReIdDataException($"{Format}: line {lineNumber} of '{listFile}' is '{text}'; expected {ExpectedLine}");
            if (!cameras.TryGetValue(key, out int camera))
                throw new ReIdDataException($"{Format}: image '{key}' (line {lineNumber} of '{listFile}') has no camera in vehicle_info.txt");
            string path = DatasetFiles.ListedPath(imageDir, Path.Combine(parts[0], parts[1] + ".jpg"), listFile, lineNumber, Format);
            if (!File.Exists(path))
                throw new ReIdDataException($"{Format}: image '{path}' listed on line {lineNumber} of '{listFile}' does not exist");
            if (options.VerifyImages) DatasetFiles.VerifyImage(path);
            list.Add(new ReIdSample(path, id, camera, DatasetSplit.Train));
        }
        return list;
    }
}
