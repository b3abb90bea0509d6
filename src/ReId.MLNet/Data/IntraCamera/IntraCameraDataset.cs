using ReId.MLNet.Data.Datasets;

namespace ReId.MLNet.Data.IntraCamera;

/// <summary>
/// A dataset turned into intra-camera supervised (ICS) training data by <see cref="IntraCameraSupervision.Apply"/>:
/// <see cref="Dataset"/> is what a trainer gets (training identities are intra-camera identities; query and gallery keep
/// their true identities for the cross-camera protocol), <see cref="Truth"/> is the hidden cross-camera truth that only
/// a report may score against.
/// </summary>
public sealed class IntraCameraDataset
{
    internal IntraCameraDataset(ReIdDataset dataset, IReadOnlyList<IntraCameraIdentity> identities, IntraCameraTruth truth)
    {
        Dataset = dataset;
        Identities = identities;
        Truth = truth;
    }

    /// <summary>The trainer's view: each training image's Identity and Label are its intra-camera identity index.</summary>
    public ReIdDataset Dataset { get; }

    /// <summary>The intra-camera identities, by index (camera-major, then by the dataset's identity order inside a camera).</summary>
    public IReadOnlyList<IntraCameraIdentity> Identities { get; }

    /// <summary>The hidden truth: scores associations, never reveals who is who.</summary>
    public IntraCameraTruth Truth { get; }
}
