using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Tests.Evaluation;

public sealed class FeatureEvaluationFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reid-eval-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, FeatureSet set)
    {
        string path = Path.Combine(_dir, name);
        FeatureFile.Write(path, set);
        return path;
    }

    [Fact]
    public void EvaluatesFeatureFilesAsComputedByHand()
    {
        // q1 = (1,0) id 1 ranks A (id 2, cos 0.9988), B (id 1, 0.9487), C (id 2, 0): AP 1/2.
        // q2 = (0,1) id 2 ranks C (id 2, 1), B (id 1, 0.316), A (id 2, 0.05): AP (1 + 2/3) / 2.
        string q = Write("q.npy", new FeatureSet([1, 0, 0, 1], 2, 2, ["q1.jpg", "q2.jpg"], [1, 2], [1, 1]));
        string g = Write("g.npy", new FeatureSet([1, 0.05f, 0.9f, 0.3f, 0, 1], 3, 2, ["a.jpg", "b.jpg", "c.jpg"], [2, 1, 2], [2, 2, 2]));

        var m = FeatureEvaluation.EvaluateFiles(q, g, new EvaluationOptions { MaxRank = 3 });

        Assert.Equal((0.5 + (1 + 2.0 / 3) / 2) / 2, m.MeanAveragePrecision, 6);
        Assert.Equal(0.5, m.Rank1, 6);
        Assert.Equal(2, m.ValidQueries);
    }

    [Fact]
    public void VehicleIdTrialsPoolQueryAndGalleryRows()
    {
        float[] Axis(int i) => [i == 0 ? 1 : 0.05f * i, i == 1 ? 1 : 0.1f, i == 2 ? 1 : 0.02f];
        var qSet = new FeatureSet([.. Axis(0), .. Axis(1), .. Axis(2)], 3, 3, ["q0", "q1", "q2"], [1, 2, 3], [-1, -1, -1]);
        var gSet = new FeatureSet([.. Axis(0), .. Axis(1), .. Axis(2), .. Axis(1)], 4, 3, ["g0", "g1", "g2", "g3"], [1, 2, 3, 3], [-1, -1, -1, -1]);
        string q = Write("vq.npy", qSet), g = Write("vg.npy", gSet);
        var options = new EvaluationOptions { Protocol = EvaluationProtocol.VehicleId, MaxRank = 3 };

        var m = FeatureEvaluation.EvaluateFiles(q, g, options, vehicleIdTrials: 4);

        var pooled = new FeatureSet([.. qSet.Features, .. gSet.Features], 7, 3, [.. qSet.Paths, .. gSet.Paths], [1, 2, 3, 1, 2, 3, 3], [.. Enumerable.Repeat(-1, 7)]);
        var expected = VehicleIdEvaluation.Evaluate(pooled, trials: 4, seed: 0, new EvaluationOptions { MaxRank = 3 });
        Assert.Equal(expected.MeanAveragePrecision, m.MeanAveragePrecision, 12);
        Assert.Equal(expected.Cmc, m.Cmc);
        Assert.Equal(4, m.ValidQueries); // 7 images − one gallery image for each of 3 identities
    }

    [Fact]
    public void BadCombinationsAreArgumentErrorsNamingWhatIsWrong()
    {
        string q = Write("q2.npy", new FeatureSet([1, 0], 1, 2, ["q.jpg"], [1], [1]));
        string g3 = Write("g3.npy", new FeatureSet([1, 0, 0], 1, 3, ["g.jpg"], [1], [2]));
        string g = Write("g2.npy", new FeatureSet([1, 0], 1, 2, ["g.jpg"], [1], [2]));

        Assert.Contains("g3.npy", Assert.Throws<ArgumentException>(() => FeatureEvaluation.EvaluateFiles(q, g3)).Message);
        Assert.Contains("VehicleID", Assert.Throws<ArgumentException>(() => FeatureEvaluation.EvaluateFiles(q, g, vehicleIdTrials: 2)).Message);
        var clothesOnly = new EvaluationOptions { Protocol = EvaluationProtocol.ClothesChangingOnly };
        Assert.Contains("clothes", Assert.Throws<ArgumentException>(() => FeatureEvaluation.EvaluateFiles(q, g, clothesOnly)).Message);
    }
}
