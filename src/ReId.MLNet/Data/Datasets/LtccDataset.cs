using System.Globalization;
using System.Text.RegularExpressions;

namespace ReId.MLNet.Data.Datasets;

/// <summary>LTCC layout (clothes-changing): train, query, test; names <c>{pid}_{clothes}_c{cam}_{frame}.png</c>.</summary>
public sealed partial class LtccDataset : IReIdDatasetReader
{
    [GeneratedRegex(@"^(\d+)_(\d+)_c(\d+)")]
    private static partial Regex NamePattern();

    private const string Expected = "'<identity>_<clothes>_c<camera>_<frame>.png' (e.g. 094_1_c9_015923.png)";

    public string Format => "ltcc";

    public ReIdDataset Read(string root, DatasetLoadOptions options) => new(Format, root,
        ReadFolder(DatasetFiles.RequireDirectory(root, "train", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "query", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "test", Format), options));

    private List<ReIdSample> ReadFolder(string dir, DatasetLoadOptions options) =>
        DatasetFiles.ReadNamedImages(DatasetFiles.Images(dir), NamePattern(), Expected, Format, options, (path, m) =>
        {
            var inv = CultureInfo.InvariantCulture;
            return new ReIdSample(path, DatasetFiles.Label(m.Groups[1].Value, path, "identity", Format), DatasetFiles.Label(m.Groups[3].Value, path, "camera", Format), DatasetSplit.Train,
                Clothes: DatasetFiles.Label(m.Groups[2].Value, path, "clothes", Format));
        });
}
