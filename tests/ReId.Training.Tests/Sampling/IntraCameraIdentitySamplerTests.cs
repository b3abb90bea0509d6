using ReId.Training.Sampling;

namespace ReId.Training.Tests.Sampling;

public sealed class IntraCameraIdentitySamplerTests
{
    // Three cameras with 4, 5 and 3 local identities of 3 images each.
    private static (int[] Labels, int[] Cameras) Data()
    {
        var labels = new List<int>();
        var cameras = new List<int>();
        int[] perCamera = [4, 5, 3];
        for (int c = 0; c < perCamera.Length; c++)
        {
            for (int id = 0; id < perCamera[c]; id++)
            {
                for (int n = 0; n < 3; n++)
                {
                    labels.Add(id);
                    cameras.Add(c);
                }
            }
        }

        return ([.. labels], [.. cameras]);
    }

    [Fact]
    public void EveryBatchHoldsPIdentitiesOfOneCameraTimesK()
    {
        var (labels, cameras) = Data();
        var sampler = new IntraCameraIdentitySampler(labels, cameras, 2, 3, seed: 3);
        var batches = sampler.EpochBatches(0);
        foreach (var batch in batches)
        {
            Assert.Equal(6, batch.Length);
            Assert.Single(batch.Select(i => cameras[i]).Distinct());
            var ids = batch.Select(i => labels[i]).ToArray();
            Assert.Equal(2, ids.Distinct().Count());
            Assert.Equal(ids[0], ids[2]);
            Assert.Equal(ids[3], ids[5]);
        }

        // Cameras 0,1,2 give 2,2,1 batches; every camera appears.
        Assert.Equal(5, batches.Count);
        Assert.Equal([0, 1, 2], batches.Select(b => cameras[b[0]]).Distinct().Order());
        var identities = batches.SelectMany(b => b).Select(i => (cameras[i], labels[i])).Distinct().Count();
        Assert.InRange(identities, 4 + 4 + 2, 12);
    }

    [Fact]
    public void DeterministicPerSeedAndEpoch()
    {
        var (labels, cameras) = Data();
        var a = new IntraCameraIdentitySampler(labels, cameras, 2, 2, 4).EpochBatches(1).SelectMany(b => b).ToArray();
        var b = new IntraCameraIdentitySampler(labels, cameras, 2, 2, 4).EpochBatches(1).SelectMany(b => b).ToArray();
        var c = new IntraCameraIdentitySampler(labels, cameras, 2, 2, 4).EpochBatches(2).SelectMany(b => b).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void CamerasWithFewerThanPIdentitiesAreSkipped()
    {
        var (labels, cameras) = Data();
        var sampler = new IntraCameraIdentitySampler(labels, cameras, 4, 2, 1);
        Assert.Equal([0, 1], sampler.Cameras);
        Assert.All(sampler.EpochBatches(0), b => Assert.NotEqual(2, cameras[b[0]]));
    }
}
