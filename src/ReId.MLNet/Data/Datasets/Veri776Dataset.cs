using System.Globalization;
using System.Text.RegularExpressions;

namespace ReId.MLNet.Data.Datasets;

/// <summary>VeRi-776 layout: image_train, image_query, image_test; names <c>0002_c002_00030600_0.jpg</c>.</summary>
public sealed partial class Veri776Dataset : IReIdDatasetReader
{
    [GeneratedRegex(@"^(\d+)_c(\d+)_")]
    private static partial Regex NamePattern();

    private const string Expected = "'<identity>_c<camera>_<time>_<n>.jpg' (e.g. 0002_c002_00030600_0.jpg)";

    public string Format => "veri776";

    public ReIdDataset Read(string root, DatasetLoadOptions options) => new(Format, root,
        ReadFolder(DatasetFiles.RequireDirectory(root, "image_train", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "image_query", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "image_test", Format), options));

    private IEnumerable<ReIdSample> ReadFolder(string dir, DatasetLoadOptions options)
    {
        var list = new List<ReIdSample>();
        foreach (string path in DatasetFiles.Images(dir))
        {
            var m = DatasetFiles.MatchName(path, NamePattern(), Expected, Format);
            if (options.VerifyImages) DatasetFiles.VerifyImage(path);
            list.Add(new ReIdSample(Path.GetFullPath(path), int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), DatasetSplit.Train));
        }
        return list;
    }
}
