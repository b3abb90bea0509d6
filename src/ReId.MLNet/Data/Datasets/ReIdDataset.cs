using Microsoft.ML;

namespace ReId.MLNet.Data.Datasets;

/// <summary>A ReID dataset read from disk: train, query and gallery images with identities, cameras and (optionally) clothes.</summary>
public sealed class ReIdDataset
{
    /// <summary>Creates a dataset; training samples get contiguous labels in order of their sorted identities.</summary>
    public ReIdDataset(string format, string root, IEnumerable<ReIdSample> train, IEnumerable<ReIdSample> query, IEnumerable<ReIdSample> gallery)
    {
        Format = format;
        Root = root;
        var trainList = train.ToList();
        var labels = trainList.Select(s => s.Identity).Distinct().Order().Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        Train = trainList.Select(s => s with { Split = DatasetSplit.Train, Label = labels[s.Identity] }).ToList();
        Query = query.Select(s => s with { Split = DatasetSplit.Query, Label = -1 }).ToList();
        Gallery = gallery.Select(s => s with { Split = DatasetSplit.Gallery, Label = -1 }).ToList();
        NumTrainIdentities = labels.Count;
        NumTrainCameras = Train.Select(s => s.Camera).Distinct().Count();
    }

    public string Format { get; }
    public string Root { get; }
    public IReadOnlyList<ReIdSample> Train { get; }
    public IReadOnlyList<ReIdSample> Query { get; }
    public IReadOnlyList<ReIdSample> Gallery { get; }
    /// <summary>Number of distinct training identities (= number of classes).</summary>
    public int NumTrainIdentities { get; }
    public int NumTrainCameras { get; }
    public IEnumerable<ReIdSample> All => Train.Concat(Query).Concat(Gallery);

    public IReadOnlyList<ReIdSample> Get(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Query => Query,
        _ => Gallery,
    };

    /// <summary>The dataset (or one split) as an IDataView with columns ImagePath, Identity, Camera, Clothes, Split, Label.</summary>
    public IDataView ToDataView(MLContext ml, DatasetSplit? split = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var rows = (split is { } s ? Get(s) : All).Select(ReIdImageRow.From).ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }
}
