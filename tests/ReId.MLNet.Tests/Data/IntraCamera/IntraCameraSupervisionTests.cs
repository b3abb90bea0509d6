using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.IntraCamera;

namespace ReId.MLNet.Tests.Data.IntraCamera;

public sealed class IntraCameraSupervisionTests
{
    // Persons 7 and 9 are seen by cameras 1 and 2; person 8 by camera 2 only; person 5 by camera 1 only.
    private static readonly (int Person, int Camera)[] Images =
        [(7, 1), (7, 1), (9, 1), (5, 1), (7, 2), (9, 2), (9, 2), (8, 2)];

    private static ReIdDataset Dataset((int Person, int Camera)[] images) => new("csv", "/data",
        images.Select((p, i) => new ReIdSample($"/data/img{i}.jpg", p.Person, p.Camera, DatasetSplit.Train)),
        [new ReIdSample("/data/q.jpg", 7, 1, DatasetSplit.Query)],
        [new ReIdSample("/data/g.jpg", 7, 2, DatasetSplit.Gallery)]);

    [Fact]
    public void TrainingLabelsBecomeCameraMajorIntraCameraIdentities()
    {
        var ics = IntraCameraSupervision.Apply(Dataset(Images));
        // Camera 1: persons 5, 7, 9 → 0, 1, 2; camera 2: persons 7, 8, 9 → 3, 4, 5.
        Assert.Equal([1, 1, 2, 0, 3, 5, 5, 4], ics.Dataset.Train.Select(s => s.Label));
        Assert.Equal([1, 1, 2, 0, 3, 5, 5, 4], ics.Dataset.Train.Select(s => s.Identity));
        Assert.Equal(6, ics.Dataset.NumTrainIdentities);
        Assert.Equal([(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)], ics.Identities.Select(i => (i.Camera, i.LocalLabel)));
        Assert.Equal([1, 2, 1, 1, 1, 2], ics.Identities.Select(i => i.Images));
        // Evaluation keeps the true identities.
        Assert.Equal(7, ics.Dataset.Query[0].Identity);
        Assert.Equal(7, ics.Dataset.Gallery[0].Identity);
    }

    [Fact]
    public void TheTrainerViewDoesNotDependOnWhoIsWhoAcrossCameras()
    {
        // Same per-camera structure, but camera 2's persons are other people (a different cross-camera truth): whatever
        // the trainer receives must be identical, so it cannot carry the global identity.
        var relinked = Images.Select(p => p.Camera == 2 ? (p.Person + 100, p.Camera) : p).ToArray();
        var a = IntraCameraSupervision.Apply(Dataset(Images));
        var b = IntraCameraSupervision.Apply(Dataset(relinked));
        Assert.Equal(a.Dataset.Train, b.Dataset.Train);
        Assert.Equal(a.Identities, b.Identities);
        // Only the truth object tells them apart.
        int[] linkSevens = [-1, 0, -1, 0, -1, -1];
        Assert.Equal(1, a.Truth.Score(linkSevens, [(1, 3)]).CorrectPairs);
        Assert.Equal(0, b.Truth.Score(linkSevens, [(1, 3)]).CorrectPairs);
    }

    [Fact]
    public void TruthScoresPairPrecisionAndRecallByHand()
    {
        var ics = IntraCameraSupervision.Apply(Dataset(Images));
        // True cross-camera pairs: 7 (1↔3) and 9 (2↔5) → 2. Predicted cluster {1, 3, 4}: cross-camera pairs 1-3, 1-4
        // (3-4 share camera 2) → 2 predicted, 1 correct; identity 2 and 5 unlinked.
        var score = ics.Truth.Score([-1, 0, -1, 0, 0, -1], [(1, 3), (1, 4)]);
        Assert.Equal(2, score.TruePairs);
        Assert.Equal(2, score.PredictedPairs);
        Assert.Equal(1, score.CorrectPairs);
        Assert.Equal(0.5, score.Precision);
        Assert.Equal(0.5, score.Recall);
        Assert.Equal(0.5, score.LinkPrecision);
        Assert.Equal(3, score.LinkedIdentities);
    }

    [Fact]
    public void ImagesWithoutACameraAreRejectedByName()
    {
        var noCamera = new ReIdDataset("csv", "/data", [new ReIdSample("/data/x.jpg", 1, -1, DatasetSplit.Train)], [], []);
        var e = Assert.Throws<ArgumentException>(() => IntraCameraSupervision.Apply(noCamera));
        Assert.Contains("/data/x.jpg", e.Message);
    }

    [Fact]
    public void SummaryCountsIdentitiesPerCamera()
    {
        var summary = DatasetSummary.Of(Dataset(Images));
        Assert.Equal(new Dictionary<int, int> { [1] = 3, [2] = 3 }, summary.TrainIntraCameraIdentities);
        Assert.Contains("\"train_intra_camera_identities\":{\"1\":3,\"2\":3}", summary.ToJson());
    }
}
