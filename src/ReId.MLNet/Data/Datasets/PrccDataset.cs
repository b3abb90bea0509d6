using System.Globalization;

namespace ReId.MLNet.Data.Datasets;

/// <summary>PRCC layout (clothes-changing): rgb/train and rgb/val hold one folder per identity with files named by camera letter
/// (A, B, C: <c>A_cropped_rgb001.jpg</c>); rgb/test/A|B|C/&lt;pid&gt;/ — A is the gallery, B the same-clothes and C the changed-clothes
/// queries. Cameras A, B, C become 1, 2, 3; cameras A and B share clothes 1, C wears clothes 2.</summary>
public sealed class PrccDataset : IReIdDatasetReader
{
    public string Format => "prcc";

    public ReIdDataset Read(string root, DatasetLoadOptions options)
    {
        string rgb = DatasetFiles.RequireDirectory(root, "rgb", Format);
        var train = ReadIdentityFolders(DatasetFiles.RequireDirectory(rgb, "train", Format), cameraLetter: null, options);
        string test = DatasetFiles.RequireDirectory(rgb, "test", Format);
        var gallery = ReadIdentityFolders(DatasetFiles.RequireDirectory(test, "A", Format), 'A', options);
        string q = options.PrccQuery.ToUpperInvariant();
        if (q is not ("B" or "C" or "BC"))
            throw new ArgumentException($"PrccQuery is '{options.PrccQuery}'; expected B, C or BC", nameof(options));
        var query = new List<ReIdSample>();
        foreach (char letter in q) query.AddRange(ReadIdentityFolders(DatasetFiles.RequireDirectory(test, letter.ToString(), Format), letter, options));
        return new ReIdDataset(Format, root, train, query, gallery);
    }

    private List<ReIdSample> ReadIdentityFolders(string dir, char? cameraLetter, DatasetLoadOptions options)
    {
        var list = new List<ReIdSample>();
        foreach (string idDir in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(idDir);
            if (!int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new ReIdDataException($"{Format}: folder '{idDir}' is not an identity folder (expected a number such as '001')");
            foreach (string path in DatasetFiles.Images(idDir))
            {
                char letter = cameraLetter ?? char.ToUpperInvariant(Path.GetFileName(path)[0]);
                if (letter is not ('A' or 'B' or 'C'))
                    throw new ReIdDataException($"{Format}: file name '{path}' does not fit the expected pattern '<A|B|C>_cropped_rgb<n>.jpg' (the first letter is the camera)");
                if (options.VerifyImages) DatasetFiles.VerifyImage(path);
                list.Add(new ReIdSample(Path.GetFullPath(path), id, letter - 'A' + 1, DatasetSplit.Train, Clothes: letter == 'C' ? 2 : 1));
            }
        }
        return list;
    }
}
