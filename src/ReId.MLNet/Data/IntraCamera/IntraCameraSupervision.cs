using ReId.MLNet.Data.Datasets;

namespace ReId.MLNet.Data.IntraCamera;

/// <summary>
/// The intra-camera supervision setting (ICS): identities are labelled inside each camera only, so the same person seen
/// by two cameras carries two unrelated labels and no cross-camera link is given. <see cref="Apply"/> turns a fully
/// labelled dataset into that setting.
/// </summary>
public static class IntraCameraSupervision
{
    /// <summary>Name of the setting on the command line and in trainer options (<c>--supervision intra-camera</c>).</summary>
    public const string Name = "intra-camera";

    /// <summary>
    /// Relabels the training split: each (camera, identity) pair becomes one intra-camera identity, numbered
    /// camera-major (cameras ascending, then the dataset's identity order inside each camera); a training image's
    /// Identity and Label both become that number, so nothing downstream can tell which identities of different cameras
    /// are one person. Query and gallery are untouched (evaluation stays the standard cross-camera protocol).
    /// </summary>
    public static IntraCameraDataset Apply(ReIdDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Train.Count == 0) throw new ArgumentException($"dataset '{dataset.Root}' has no training images to relabel", nameof(dataset));
        var noCamera = dataset.Train.FirstOrDefault(s => s.Camera < 0);
        if (noCamera is not null)
            throw new ArgumentException($"intra-camera supervision needs a camera for every training image; '{noCamera.ImagePath}' has none (format '{dataset.Format}')", nameof(dataset));

        var pairs = dataset.Train.Select(s => (s.Camera, s.Identity)).Distinct().Order().ToList();
        var indexOf = new Dictionary<(int Camera, int Identity), int>(pairs.Count);
        var identities = new List<IntraCameraIdentity>(pairs.Count);
        var person = new int[pairs.Count];
        var camera = new int[pairs.Count];
        var images = dataset.Train.CountBy(s => (s.Camera, s.Identity)).ToDictionary();
        int local = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            if (i > 0 && pairs[i].Camera != pairs[i - 1].Camera) local = 0;
            indexOf[pairs[i]] = i;
            identities.Add(new IntraCameraIdentity(i, pairs[i].Camera, local++, images[pairs[i]]));
            person[i] = pairs[i].Identity;
            camera[i] = pairs[i].Camera;
        }

        var train = dataset.Train.Select(s => s with { Identity = indexOf[(s.Camera, s.Identity)] }).ToList();
        var relabelled = new ReIdDataset(dataset.Format, dataset.Root, train, dataset.Query, dataset.Gallery);
        return new IntraCameraDataset(relabelled, identities, new IntraCameraTruth(person, camera));
    }

    /// <summary>Intra-camera identities per camera of a split (what an annotator labelling camera by camera would count).</summary>
    public static IReadOnlyDictionary<int, int> IdentitiesPerCamera(IReadOnlyList<ReIdSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples.Where(s => s.Camera >= 0).GroupBy(s => s.Camera).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Identity).Distinct().Count());
    }
}
