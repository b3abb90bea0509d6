using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.IntraCamera;
using ReId.Training.Methods.Ccafl;

namespace ReId.Training.Tests.Methods.Ccafl;

public sealed class CrossCameraAssociationTests
{
    // Six intra-camera identities: 0, 1 in camera 0; 2, 3 in camera 1; 4, 5 in camera 2. Person A = {0, 2, 4}, B = {1, 3}, C = {5}.
    private static readonly float[] Centroids = [1f, 0f, 0f, 1f, 0.99f, 0.1f, 0.1f, 0.99f, 0.95f, 0.3f, -1f, 0f];
    private static readonly int[] Cameras = [0, 0, 1, 1, 2, 2];

    [Fact]
    public void ClosestPairsAreLinkedAtMostOncePerOtherCameraThenClosed()
    {
        // Cosines of the cross-camera pairs, closest first: (0,2) = (1,3) ≈ .995, (2,4) ≈ .979, (0,4) ≈ .954, (3,4) ≈ .396,
        // (1,4) ≈ .301, … With a budget of 6: (0,2), (1,3), (2,4), (0,4) accepted; (3,4) refused (4 already has a camera-1
        // link), (1,4) refused (4 already has a camera-0 link).
        var result = CrossCameraAssociation.Associate(Centroids, Cameras, rate: 1.0);
        Assert.Equal(6, result.CandidatePairs);
        Assert.Equal([(0, 2), (1, 3), (2, 4), (0, 4)], result.Links);
        Assert.Equal([0, 1, 0, 1, 0, -1], result.ClusterOfIdentity);
        Assert.Equal(2, result.Clusters);
    }

    [Fact]
    public void TheRateBoundsHowManyPairsAreConsidered()
    {
        var one = CrossCameraAssociation.Associate(Centroids, Cameras, rate: 1.0 / 6);
        Assert.Equal([(0, 2)], one.Links);
        Assert.Equal([0, -1, 0, -1, -1, -1], one.ClusterOfIdentity);
        var none = CrossCameraAssociation.Associate(Centroids, Cameras, rate: 0);
        Assert.All(none.ClusterOfIdentity, c => Assert.Equal(-1, c));
    }

    [Fact]
    public void AssociationOfWellSeparatedPersonsIsPerfectAgainstTheHiddenTruth()
    {
        // 12 persons, 3 cameras, each person seen by every camera; identity feature = person direction + small noise.
        var rng = new Random(5);
        var samples = new List<ReIdSample>();
        for (int person = 0; person < 12; person++)
            for (int camera = 1; camera <= 3; camera++)
                samples.Add(new ReIdSample($"/x/{person}_{camera}.jpg", person + 1, camera, DatasetSplit.Train));
        var ics = IntraCameraSupervision.Apply(new ReIdDataset("csv", "/x", samples, [], []));
        int dim = 16;
        var features = new float[ics.Identities.Count * dim];
        var cameras = new int[ics.Identities.Count];
        foreach (var s in samples)
        {
            // The test builds features from the truth it knows; the association only ever sees features and cameras.
            int index = ics.Dataset.Train[samples.IndexOf(s)].Label;
            cameras[index] = s.Camera;
            for (int d = 0; d < dim; d++) features[index * dim + d] = (d == s.Identity - 1 ? 1f : 0f) + (float)(rng.NextDouble() - 0.5) * 0.1f;
        }
        // Every person has 3 cross-camera pairs; 12 × 3 = 36 = 1.0 × 36 identities.
        var result = CrossCameraAssociation.Associate(features, cameras, rate: 1.0);
        var score = ics.Truth.Score(result.ClusterOfIdentity, result.Links);
        Assert.Equal(1.0, score.Precision);
        Assert.Equal(1.0, score.Recall);
        Assert.Equal(12, result.Clusters);
    }

    [Fact]
    public void FeatureCountMustMatchTheIdentities()
    {
        var e = Assert.Throws<ArgumentException>(() => CrossCameraAssociation.Associate(new float[7], Cameras, 1));
        Assert.Contains("N × D", e.Message);
    }
}
