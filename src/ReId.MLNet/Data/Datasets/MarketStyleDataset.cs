using System.Globalization;
using System.Text.RegularExpressions;

namespace ReId.MLNet.Data.Datasets;

/// <summary>Market-1501 layout (also DukeMTMC-reID and CUHK03-NP): bounding_box_train, query, bounding_box_test;
/// names <c>0002_c1s1_000451_03.jpg</c> (Duke: <c>0001_c2_f0046182.jpg</c>). Identity -1 (junk) is dropped; 0 (distractors) stays.</summary>
public sealed partial class MarketStyleDataset(string format = "market1501") : IReIdDatasetReader
{
    [GeneratedRegex(@"^(-?\d+)_c(\d+)(?:s\d+)?_")]
    private static partial Regex NamePattern();

    internal const string Expected = "'<identity>_c<camera>s<sequence>_<frame>_<box>.jpg' (e.g. 0002_c1s1_000451_03.jpg) or '<identity>_c<camera>_<frame>.jpg'";

    public string Format { get; } = format;

    /// <summary>
    /// The identity and camera of a Market-style file name (<c>0002_c1s1_000451_03.jpg</c>, Duke's <c>0001_c2_f0046182.jpg</c>);
    /// false when the name has another form or a number does not fit an int.
    /// </summary>
    public static bool TryParseName(string fileName, out int identity, out int camera)
    {
        identity = camera = -1;
        var m = NamePattern().Match(fileName);
        if (!m.Success) return false;
        if (!int.TryParse(m.Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id)
            || !int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int cam))
            return false;
        (identity, camera) = (id, cam);
        return true;
    }

    public ReIdDataset Read(string root, DatasetLoadOptions options) => new(Format, root,
        ReadFolder(DatasetFiles.RequireDirectory(root, "bounding_box_train", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "query", Format), options),
        ReadFolder(DatasetFiles.RequireDirectory(root, "bounding_box_test", Format), options));

    private List<ReIdSample> ReadFolder(string dir, DatasetLoadOptions options) =>
        DatasetFiles.ReadNamedImages(DatasetFiles.Images(dir), NamePattern(), Expected, Format, options, (path, m) =>
        {
            int id = DatasetFiles.Label(m.Groups[1].Value, path, "identity", Format);
            return id == -1 ? null : new ReIdSample(path, id, DatasetFiles.Label(m.Groups[2].Value, path, "camera", Format), DatasetSplit.Train);
        });
}
