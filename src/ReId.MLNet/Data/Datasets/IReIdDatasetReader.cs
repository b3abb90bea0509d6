namespace ReId.MLNet.Data.Datasets;

/// <summary>Turns one dataset layout on disk into a <see cref="ReIdDataset"/>.</summary>
public interface IReIdDatasetReader
{
    /// <summary>The format name (the CLI's --format value).</summary>
    string Format { get; }

    ReIdDataset Read(string root, DatasetLoadOptions options);
}
