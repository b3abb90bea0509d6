using System.Globalization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>MSMT17 layout: list_train.txt, list_val.txt, list_query.txt, list_gallery.txt (lines <c>path label</c>) with images under
/// train/ and test/ (V1) or mask_train_v2/ and mask_test_v2/ (V2). The camera is the third underscore field of the file name.</summary>
public sealed class Msmt17Dataset : IReIdDatasetReader
{
    private const string ExpectedLine = "'<relative path> <identity>' (e.g. '0000/0000_000_01_0303morning_0015_0.jpg 0')";
    private const string ExpectedName = "'<identity>_<index>_<camera>_<date><time>_<frame>_<n>.jpg' (e.g. 0000_000_01_0303morning_0015_0.jpg)";

    public string Format => "msmt17";

    public ReIdDataset Read(string root, DatasetLoadOptions options)
    {
        string trainDir = FirstExisting(root, "train", "mask_train_v2");
        string testDir = FirstExisting(root, "test", "mask_test_v2");
        var train = ReadList(DatasetFiles.RequireFile(root, "list_train.txt", Format), trainDir, options).ToList();
        if (options.Msmt17CombineTrainVal)
        {
            string val = Path.Combine(root, "list_val.txt");
            if (File.Exists(val)) train.AddRange(ReadList(val, trainDir, options));
        }
        return new ReIdDataset(Format, root, train,
            ReadList(DatasetFiles.RequireFile(root, "list_query.txt", Format), testDir, options),
            ReadList(DatasetFiles.RequireFile(root, "list_gallery.txt", Format), testDir, options));
    }

    private string FirstExisting(string root, string v1, string v2)
    {
        if (Directory.Exists(Path.Combine(root, v1))) return Path.Combine(root, v1);
        if (Directory.Exists(Path.Combine(root, v2))) return Path.Combine(root, v2);
        throw new ReIdDataException($"{Format}: folder '{Path.Combine(root, v1)}' (V1) or '{Path.Combine(root, v2)}' (V2) is missing (expected the msmt17 layout under '{root}')");
    }

    private List<ReIdSample> ReadList(string listFile, string imageDir, DatasetLoadOptions options)
    {
        var list = new List<ReIdSample>();
        foreach (var (lineNumber, text) in DatasetFiles.Lines(listFile))
        {
            string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new ReIdDataException($"{Format}: line {lineNumber} of '{listFile}' is '{text}'; expected {ExpectedLine}");
            string path = DatasetFiles.ListedPath(imageDir, parts[0], listFile, lineNumber, Format);
            if (!DatasetFiles.IsImageName(path)) continue;
            string[] fields = Path.GetFileNameWithoutExtension(path).Split('_');
            if (fields.Length < 3 || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int camera))
                throw new ReIdDataException($"{Format}: file name '{path}' (line {lineNumber} of '{listFile}') does not fit the expected pattern {ExpectedName}");
            if (!File.Exists(path))
                throw new ReIdDataException($"{Format}: image '{path}' listed on line {lineNumber} of '{listFile}' does not exist");
            if (options.VerifyImages) DatasetFiles.VerifyImage(path);
            list.Add(new ReIdSample(path, id, camera, DatasetSplit.Train));
        }
        return list;
    }
}
