namespace ReId.MLNet.Data.Datasets;

/// <summary>
/// A plain folder of images (no dataset layout): every image file directly inside it, in ordinal file-name order, labelled
/// from Market-1501-style names (<c>0001_c3s1_000151_00.jpg</c> → identity 1, camera 3) where a name has that form, else -1.
/// </summary>
public static class ImageFolder
{
    /// <summary>The images of <paramref name="folder"/> as samples (split <see cref="DatasetSplit.Query"/>), with full paths.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (the message names it).</exception>
    public static List<ReIdSample> ReadSamples(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"image folder '{folder}' does not exist.");
        return DatasetFiles.Images(Path.GetFullPath(folder))
            .Select(path => MarketStyleDataset.TryParseName(Path.GetFileName(path), out int identity, out int camera)
                ? new ReIdSample(path, identity, camera, DatasetSplit.Query)
                : new ReIdSample(path, -1, -1, DatasetSplit.Query))
            .ToList();
    }
}
