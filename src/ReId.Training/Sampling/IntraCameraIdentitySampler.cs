namespace ReId.Training.Sampling;

/// <summary>
/// PK sampler for intra-camera supervision, where an identity is a (camera, local label) pair: every batch holds P
/// identities of ONE camera × K images. Each camera's batches are formed as in <see cref="RandomIdentitySampler"/>;
/// the batches of all cameras are then shuffled together so cameras alternate through the epoch.
/// </summary>
public sealed class IntraCameraIdentitySampler : IBatchSampler
{
    private readonly Dictionary<int, int[]> _identitiesByCamera;
    private readonly Dictionary<int, List<int>> _indicesByIdentity;
    private readonly int[] _cameras;
    private readonly long _seed;

    /// <param name="labels">Per-camera label of each sample.</param>
    /// <param name="cameras">Camera of each sample.</param>
    /// <param name="identitiesPerBatch">P (identities of one camera per batch).</param>
    /// <param name="imagesPerIdentity">K.</param>
    /// <param name="seed">Run seed.</param>
    public IntraCameraIdentitySampler(IReadOnlyList<int> labels, IReadOnlyList<int> cameras, int identitiesPerBatch, int imagesPerIdentity, long seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentOutOfRangeException.ThrowIfLessThan(identitiesPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesPerIdentity, 1);
        if (labels.Count != cameras.Count)
        {
            throw new ArgumentException($"Got {labels.Count} labels but {cameras.Count} cameras; expected one camera per sample.", nameof(cameras));
        }

        _indicesByIdentity = [];
        var byCamera = new Dictionary<int, SortedSet<int>>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= 1 << 20 || cameras[i] < 0)
            {
                throw new ArgumentException(
                    $"Sample {i} has label {labels[i]} and camera {cameras[i]}; expected a label in [0, 2^20) and a camera >= 0.", nameof(labels));
            }

            int key = IdentityKey(cameras[i], labels[i]);
            if (!_indicesByIdentity.TryGetValue(key, out var list))
            {
                _indicesByIdentity[key] = list = [];
            }

            list.Add(i);
            if (!byCamera.TryGetValue(cameras[i], out var ids))
            {
                byCamera[cameras[i]] = ids = [];
            }

            ids.Add(key);
        }

        _identitiesByCamera = byCamera.Where(kv => kv.Value.Count >= identitiesPerBatch).ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        if (_identitiesByCamera.Count == 0)
        {
            throw new ArgumentException(
                $"No camera has P = {identitiesPerBatch} identities (largest has {(byCamera.Count == 0 ? 0 : byCamera.Values.Max(s => s.Count))}).", nameof(labels));
        }

        _cameras = [.. _identitiesByCamera.Keys.Order()];
        IdentitiesPerBatch = identitiesPerBatch;
        ImagesPerIdentity = imagesPerIdentity;
        _seed = seed;
    }

    public int IdentitiesPerBatch { get; }
    public int ImagesPerIdentity { get; }
    public int BatchSize => IdentitiesPerBatch * ImagesPerIdentity;

    /// <summary>Cameras that contribute batches (those with at least P identities).</summary>
    public IReadOnlyList<int> Cameras => _cameras;

    public IReadOnlyList<int[]> EpochBatches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var rng = DeterministicSeed.Create(_seed, epoch);
        var batches = new List<int[]>();
        foreach (int camera in _cameras)
        {
            var identities = _identitiesByCamera[camera];
            var groups = new Dictionary<int, Queue<int[]>>(identities.Length);
            foreach (int id in identities)
            {
                groups[id] = IdentityGroups.Build(_indicesByIdentity[id], ImagesPerIdentity, rng);
            }

            IdentityGroups.DrawBatches(identities, groups, IdentitiesPerBatch, rng, batches);
        }

        var shuffled = batches.ToArray();
        rng.Shuffle(shuffled);
        return shuffled;
    }

    private static int IdentityKey(int camera, int label) => (camera << 20) | label;
}
