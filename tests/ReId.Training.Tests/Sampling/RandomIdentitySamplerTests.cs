using ReId.Training.Sampling;

namespace ReId.Training.Tests.Sampling;

public sealed class RandomIdentitySamplerTests
{
    // 10 identities with 1..10 images: identities with fewer than K images are topped up with replacement.
    private static int[] Labels()
    {
        var labels = new List<int>();
        for (int id = 0; id < 10; id++)
        {
            labels.AddRange(Enumerable.Repeat(id, id + 1));
        }

        return [.. labels];
    }

    [Fact]
    public void EveryBatchHasPDistinctIdentitiesTimesKImagesOfThatIdentity()
    {
        var labels = Labels();
        var sampler = new RandomIdentitySampler(labels, 3, 4, seed: 7);
        var batches = sampler.EpochBatches(0);
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            Assert.Equal(12, batch.Length);
            var ids = batch.Select(i => labels[i]).ToArray();
            for (int p = 0; p < 3; p++)
            {
                Assert.All(ids.AsSpan(p * 4, 4).ToArray(), id => Assert.Equal(ids[p * 4], id));
            }

            Assert.Equal(3, ids.Distinct().Count());
        }
    }

    [Fact]
    public void EpochHasTorchreidLengthAndCoversEveryIdentity()
    {
        var labels = Labels();
        var sampler = new RandomIdentitySampler(labels, 2, 4, seed: 1);
        var batches = sampler.EpochBatches(3);
        // Groups per identity: max(1, n / 4) → 1,1,1,1,1,1,1,2,2,2 = 13 groups; batches take 2 while >= 2 identities remain.
        int groups = batches.Sum(b => b.Length) / 4;
        Assert.InRange(groups, 13 - 1, 13);
        // Only the last, unpaired group may be dropped (torchreid drops it too).
        Assert.InRange(batches.SelectMany(b => b).Select(i => labels[i]).Distinct().Count(), 9, 10);
        // Identities with >= K images never repeat an image within the epoch.
        var used = batches.SelectMany(b => b).Where(i => labels[i] >= 4).ToArray();
        Assert.Equal(used.Length, used.Distinct().Count());
    }

    [Fact]
    public void BalancedSetCoversEveryImageOnce()
    {
        int[] labels = [.. Enumerable.Range(0, 40).Select(i => i / 4)];
        var batches = new RandomIdentitySampler(labels, 2, 4, seed: 11).EpochBatches(0);
        Assert.Equal(5, batches.Count);
        Assert.Equal(Enumerable.Range(0, 40), batches.SelectMany(b => b).Order());
    }

    [Fact]
    public void SameSeedAndEpochGiveSameBatchesOtherwiseDifferent()
    {
        var labels = Labels();
        var a = new RandomIdentitySampler(labels, 3, 2, seed: 5).EpochBatches(2);
        var b = new RandomIdentitySampler(labels, 3, 2, seed: 5).EpochBatches(2);
        var c = new RandomIdentitySampler(labels, 3, 2, seed: 6).EpochBatches(2);
        var d = new RandomIdentitySampler(labels, 3, 2, seed: 5).EpochBatches(3);
        Assert.Equal(a.SelectMany(x => x), b.SelectMany(x => x));
        Assert.NotEqual(a.SelectMany(x => x), c.SelectMany(x => x));
        Assert.NotEqual(a.SelectMany(x => x), d.SelectMany(x => x));
    }

    [Fact]
    public void ResumeFromSavedPositionGivesTheSameRemainingBatches()
    {
        var labels = Labels();
        var sampler = new RandomIdentitySampler(labels, 2, 2, seed: 9);
        var all = sampler.RemainingBatches(new SamplerPosition(1, 0)).ToList();
        var saved = all[2].Next;
        Assert.Equal(new SamplerPosition(1, 3), saved);
        var resumed = new RandomIdentitySampler(labels, 2, 2, seed: 9).RemainingBatches(saved).Select(x => x.Batch).ToList();
        Assert.Equal(all.Skip(3).SelectMany(x => x.Batch), resumed.SelectMany(x => x));
    }

    [Fact]
    public void TooFewIdentitiesIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RandomIdentitySampler([0, 0, 1], 3, 2, 1));
        Assert.Contains("2 identities", ex.Message);
    }
}
