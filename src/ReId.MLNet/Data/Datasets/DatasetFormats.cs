namespace ReId.MLNet.Data.Datasets;

/// <summary>The dataset formats by name: <c>DatasetFormats.Load("market1501", root)</c>.</summary>
public static class DatasetFormats
{
    private static readonly Dictionary<string, Func<IReIdDatasetReader>> Readers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["market1501"] = () => new MarketStyleDataset("market1501"),
        ["dukemtmc"] = () => new MarketStyleDataset("dukemtmc"),
        ["cuhk03-np"] = () => new MarketStyleDataset("cuhk03-np"),
        ["msmt17"] = () => new Msmt17Dataset(),
        ["veri776"] = () => new Veri776Dataset(),
        ["vehicleid"] = () => new VehicleIdDataset(),
        ["veriwild"] = () => new VeriWildDataset(),
        ["ltcc"] = () => new LtccDataset(),
        ["prcc"] = () => new PrccDataset(),
        ["csv"] = () => new CsvDataset(),
    };

    /// <summary>Known format names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Readers.Keys];

    /// <summary>The reader of a format; an unknown name is an ArgumentException listing the known ones.</summary>
    public static IReIdDatasetReader Reader(string format) =>
        Readers.TryGetValue(format ?? "", out var create) ? create()
            : throw new ArgumentException($"unknown dataset format '{format}'; expected one of: {string.Join(", ", Names)}", nameof(format));

    /// <summary>Reads the dataset at <paramref name="root"/> in the given format.</summary>
    public static ReIdDataset Load(string format, string root, DatasetLoadOptions? options = null)
    {
        var reader = Reader(format);
        if (string.IsNullOrWhiteSpace(root) || !Directory.Exists(root))
            throw new ReIdDataException($"dataset root '{root}' does not exist (expected a folder in the {reader.Format} layout)");
        return reader.Read(Path.GetFullPath(root), options ?? new DatasetLoadOptions());
    }
}
