using System.Globalization;
using System.Text.RegularExpressions;

namespace ReId.MLNet.Data.Datasets;

/// <summary>VeRi-776 layout: image_train, image_query, image_test; names <c>0002_c002_00030600_0.jpg</c>.
/// When the official name_train.txt / name_query.txt / name_test.txt is present, it defines the split: every listed image must exist
/// and images not listed are left out; without it, every image of the folder is read.</summary>
public sealed partial class Veri776Dataset : IReIdDatasetReader
{
    [GeneratedRegex(@"^(\d+)_c(\d+)_")]
    private static partial Regex NamePattern();

    private const string Expected = "'<identity>_c<camera>_<time>_<n>.jpg' (e.g. 0002_c002_00030600_0.jpg)";

    public string Format => "veri776";

    public ReIdDataset Read(string root, DatasetLoadOptions options) => new(Format, root,
        ReadFolder(root, "image_train", "name_train.txt", options),
        ReadFolder(root, "image_query", "name_query.txt", options),
        ReadFolder(root, "image_test", "name_test.txt", options));

    private List<ReIdSample> ReadFolder(string root, string folder, string nameList, DatasetLoadOptions options) =>
        DatasetFiles.ReadNamedImages(ListedImages(DatasetFiles.RequireDirectory(root, folder, Format), Path.Combine(root, nameList)), NamePattern(), Expected, Format, options,
            (path, m) => new ReIdSample(path, DatasetFiles.Label(m.Groups[1].Value, path, "identity", Format), DatasetFiles.Label(m.Groups[2].Value, path, "camera", Format), DatasetSplit.Train));

    private IEnumerable<string> ListedImages(string dir, string nameList)
    {
        if (!File.Exists(nameList)) return DatasetFiles.Images(dir);
        var paths = new List<string>();
        foreach (var (lineNumber, text) in DatasetFiles.Lines(nameList))
        {
            string path = DatasetFiles.ListedPath(dir, text, nameList, lineNumber, Format);
            if (!File.Exists(path))
                throw new ReIdDataException($"{Format}: image '{path}' listed on line {lineNumber} of '{nameList}' does not exist");
            if (DatasetFiles.IsImageName(path)) paths.Add(path);
        }
        paths.Sort(StringComparer.Ordinal);
        return paths.Distinct();
    }
}
