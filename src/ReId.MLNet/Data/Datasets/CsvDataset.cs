using System.Globalization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>A user's own data: train.csv, query.csv and gallery.csv with header <c>path,identity,camera[,clothes][,view]</c>, paths relative to the root.
/// A missing split file is an empty split, but there must be train.csv or both query.csv and gallery.csv.</summary>
public sealed class CsvDataset : IReIdDatasetReader
{
    public string Format => "csv";

    public ReIdDataset Read(string root, DatasetLoadOptions options)
    {
        bool hasTrain = File.Exists(Path.Combine(root, "train.csv"));
        bool hasTest = File.Exists(Path.Combine(root, "query.csv")) && File.Exists(Path.Combine(root, "gallery.csv"));
        if (!hasTrain && !hasTest)
            throw new ReIdDataException($"csv: '{Path.Combine(root, "train.csv")}' or both query.csv and gallery.csv are needed under '{root}' (header: path,identity,camera[,clothes][,view])");
        return new ReIdDataset(Format, root, Read(root, "train.csv", options), Read(root, "query.csv", options), Read(root, "gallery.csv", options));
    }

    private static List<ReIdSample> Read(string root, string fileName, DatasetLoadOptions options)
    {
        string file = Path.Combine(root, fileName);
        var list = new List<ReIdSample>();
        if (!File.Exists(file)) return list;
        using var reader = new StreamReader(file);
        string? header = reader.ReadLine()?.Trim().TrimStart('\uFEFF');
        string[] columns = header?.Split(',').Select(c => c.Trim().ToLowerInvariant()).ToArray() ?? [];
        string[] optional = columns.Length >= 3 ? columns[3..] : [];
        if (columns.Length < 3 || columns[0] != "path" || columns[1] != "identity" || columns[2] != "camera"
            || optional.Any(c => c is not ("clothes" or "view")) || optional.Distinct().Count() != optional.Length)
            throw new ReIdDataException($"csv: '{file}' starts with '{header}'; expected the header 'path,identity,camera' followed by the optional columns 'clothes' and 'view' (e.g. 'path,identity,camera,clothes,view')");
        int clothesAt = Array.IndexOf(columns, "clothes"), viewAt = Array.IndexOf(columns, "view");
        string integers = string.Join(", ", columns.Skip(1));
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            string[] f = line.Split(',');
            var inv = CultureInfo.InvariantCulture;
            var numbers = new int[columns.Length];
            if (f.Length != columns.Length || Enumerable.Range(1, columns.Length - 1).Any(i => !int.TryParse(f[i], NumberStyles.Integer, inv, out numbers[i])))
                throw new ReIdDataException($"csv: line {lineNumber} of '{file}' is '{line}'; expected {columns.Length} comma-separated fields ({string.Join(',', columns)}) with integer {integers}");
            string path = Path.GetFullPath(Path.Combine(root, f[0].Trim()));
            if (!File.Exists(path))
                throw new ReIdDataException($"csv: image '{path}' on line {lineNumber} of '{file}' does not exist");
            if (!DatasetFiles.IsImageName(path)) continue;
            if (options.VerifyImages) DatasetFiles.VerifyImage(path);
            list.Add(new ReIdSample(path, numbers[1], numbers[2], DatasetSplit.Train,
                Clothes: clothesAt > 0 ? numbers[clothesAt] : -1, View: viewAt > 0 ? numbers[viewAt] : -1));
        }
        return list;
    }
}
