namespace ReId.MLNet.Data;

/// <summary>The IDataView row of a ReID image: ImagePath, Identity, Camera, Clothes, Split and the contiguous training Label.</summary>
public sealed class ReIdImageRow
{
    public string ImagePath { get; set; } = "";
    public int Identity { get; set; }
    public int Camera { get; set; }
    public int Clothes { get; set; } = -1;
    /// <summary>"train", "query" or "gallery".</summary>
    public string Split { get; set; } = "";
    /// <summary>Contiguous 0-based label for training rows; -1 elsewhere.</summary>
    public int Label { get; set; } = -1;

    public static ReIdImageRow From(ReIdSample s) => new()
    {
        ImagePath = s.ImagePath, Identity = s.Identity, Camera = s.Camera, Clothes = s.Clothes,
        Split = SplitName(s.Split), Label = s.Label,
    };

    public static string SplitName(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Query => "query",
        _ => "gallery",
    };
}
