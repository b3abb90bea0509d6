namespace ReId.Training.Sampling;

/// <summary>
/// PK sampler: each batch holds P distinct identities × K images. An epoch is defined by identities as in torchreid's
/// RandomIdentitySampler: every identity's images are shuffled (topped up with replacement to K when it has fewer) and
/// cut into groups of K; batches draw P identities at random among those with groups left.
/// </summary>
public sealed class RandomIdentitySampler : IBatchSampler
{
    private readonly int[] _identities;
    private readonly Dictionary<int, List<int>> _indicesByLabel;
    private readonly long _seed;

    /// <param name="labels">Training label of each sample (index = sample index).</param>
    /// <param name="identitiesPerBatch">P.</param>
    /// <param name="imagesPerIdentity">K.</param>
    /// <param name="seed">Run seed; epoch e's batches depend only on (seed, e).</param>
    public RandomIdentitySampler(IReadOnlyList<int> labels, int identitiesPerBatch, int imagesPerIdentity, long seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(identitiesPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesPerIdentity, 1);
        _indicesByLabel = [];
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0)
            {
                throw new ArgumentException($"Sample {i} has label {labels[i]}; training samples need a label >= 0.", nameof(labels));
            }

            if (!_indicesByLabel.TryGetValue(labels[i], out var list))
            {
                _indicesByLabel[labels[i]] = list = [];
            }

            list.Add(i);
        }

        _identities = [.. _indicesByLabel.Keys.Order()];
        if (_identities.Length < identitiesPerBatch)
        {
            throw new ArgumentException(
                $"The training set has {_identities.Length} identities; a batch needs P = {identitiesPerBatch} distinct identities.", nameof(labels));
        }

        IdentitiesPerBatch = identitiesPerBatch;
        ImagesPerIdentity = imagesPerIdentity;
        _seed = seed;
    }

    public int IdentitiesPerBatch { get; }
    public int ImagesPerIdentity { get; }
    public int BatchSize => IdentitiesPerBatch * ImagesPerIdentity;

    /// <summary>Number of distinct identities in the training set.</summary>
    public int IdentityCount => _identities.Length;

    public IReadOnlyList<int[]> EpochBatches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var rng = DeterministicSeed.Create(_seed, epoch);
        var groups = new Dictionary<int, Queue<int[]>>(_identities.Length);
        foreach (int id in _identities)
        {
            groups[id] = IdentityGroups.Build(_indicesByLabel[id], ImagesPerIdentity, rng);
        }

        var batches = new List<int[]>();
        IdentityGroups.DrawBatches(_identities, groups, IdentitiesPerBatch, rng, batches);
        return batches;
    }
}
