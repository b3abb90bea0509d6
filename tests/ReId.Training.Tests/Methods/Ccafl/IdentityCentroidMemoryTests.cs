using ReId.Training.Methods.Ccafl;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Ccafl;

public sealed class IdentityCentroidMemoryTests
{
    // Centroids c0 = (1,0), c1 = (0,1); slots of class 0: (1,0), (0.6,0.8); of class 1: (0,1), (0.8,0.6).
    private static IdentityCentroidMemory Memory(long[]? cameras = null, double momentum = 0.5, bool hardest = false, float[]? extraCentroid = null)
    {
        var c = new List<float> { 1, 0, 0, 1 };
        var slots0 = new List<float> { 1, 0, 0, 1 };
        var slots1 = new List<float> { 0.6f, 0.8f, 0.8f, 0.6f };
        if (extraCentroid is not null)
        {
            c.AddRange(extraCentroid);
            slots0.AddRange(extraCentroid);
            slots1.AddRange(extraCentroid);
        }
        int n = c.Count / 2;
        using var centroids = tensor(c.ToArray(), [n, 2]);
        using var instances = tensor(slots0.Concat(slots1).ToArray(), [2, n, 2]);
        using var camera = cameras is null ? null : tensor(cameras);
        return new IdentityCentroidMemory(centroids, instances, camera, temperature: 0.5, momentum: momentum, updateWithHardest: hardest);
    }

    [Fact]
    public void CentroidAndHardInstanceLossesMatchHandComputedValues()
    {
        using var memory = Memory();
        using var x = tensor(new float[] { 1, 0 }, [1, 2]);
        using var y = tensor(new long[] { 0 });
        var (centroid, instance) = memory.Losses(x, y);
        // Centroid logits (1, 0)/0.5 → CE = log(1 + e^-2).
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), centroid.item<float>(), 5);
        // Hardest own slot: min(1, 0.6) = 0.6; hardest other slot: max(0, 0.8) = 0.8 → CE of (1.2, 1.6) = log(1 + e^0.4).
        Assert.Equal(Math.Log(1 + Math.Exp(0.4)), instance.item<float>(), 5);
        centroid.Dispose();
        instance.Dispose();
    }

    [Fact]
    public void ClassesOfOtherCamerasAreLeftOutOfTheSoftmax()
    {
        // A third class in camera 1 sits exactly on the sample; it must not count for a camera-0 sample.
        using var memory = Memory(cameras: [0, 0, 1], extraCentroid: [1, 0]);
        using var x = tensor(new float[] { 1, 0 }, [1, 2]);
        using var y = tensor(new long[] { 0 });
        var (centroid, instance) = memory.Losses(x, y);
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), centroid.item<float>(), 5);
        Assert.Equal(Math.Log(1 + Math.Exp(0.4)), instance.item<float>(), 5);
        centroid.Dispose();
        instance.Dispose();
    }

    [Fact]
    public void MomentumUpdateMovesTheCentroidTowardsTheBatchMeanAndRefillsSlots()
    {
        using var memory = Memory();
        using var x = tensor(new float[] { 0.6f, 0.8f, 0, 1 }, [2, 2]);
        using var y = tensor(new long[] { 0, 0 });
        memory.Update(x, y);
        // mean = (0.3, 0.9); 0.5·(1,0) + 0.5·(0.3,0.9) = (0.65, 0.45) → normalised.
        double norm = Math.Sqrt(0.65 * 0.65 + 0.45 * 0.45);
        var c = memory.Centroids.data<float>().ToArray();
        Assert.Equal(0.65 / norm, c[0], 5);
        Assert.Equal(0.45 / norm, c[1], 5);
        Assert.Equal([0f, 1f], c[2..4]);
        // Slots of class 0 now hold the batch features; probe (0,1) has hardest own slot cos 0.8.
        using var probe = tensor(new float[] { 0, 1 }, [1, 2]);
        using var label = tensor(new long[] { 0 });
        var (centroid, instance) = memory.Losses(probe, label);
        // Own slots (0.6,0.8),(0,1) → min 0.8; other class slots (0,1),(0.8,0.6) → max 1 → CE of (1.6, 2) = log(1 + e^0.4).
        Assert.Equal(Math.Log(1 + Math.Exp(0.4)), instance.item<float>(), 5);
        centroid.Dispose();
        instance.Dispose();
    }

    [Fact]
    public void HardestUpdateMovesTowardsTheLeastSimilarBatchFeature()
    {
        using var memory = Memory(hardest: true);
        using var x = tensor(new float[] { 0.6f, 0.8f, 0, 1 }, [2, 2]);
        using var y = tensor(new long[] { 0, 0 });
        memory.Update(x, y);
        // The least similar to (1,0) is (0,1): 0.5·(1,0) + 0.5·(0,1) → (√½, √½).
        var c = memory.Centroids.data<float>().ToArray();
        Assert.Equal(Math.Sqrt(0.5), c[0], 5);
        Assert.Equal(Math.Sqrt(0.5), c[1], 5);
    }

    [Fact]
    public void GradientsReachTheFeaturesButNotTheMemory()
    {
        using var memory = Memory();
        using var x = tensor(new float[] { 0.9f, 0.1f }, [1, 2]).requires_grad_(true);
        using var y = tensor(new long[] { 0 });
        var (centroid, instance) = memory.Losses(x, y);
        using var total = centroid + instance;
        total.backward();
        Assert.NotNull(x.grad);
        Assert.False(memory.Centroids.requires_grad);
        centroid.Dispose();
        instance.Dispose();
    }
}
