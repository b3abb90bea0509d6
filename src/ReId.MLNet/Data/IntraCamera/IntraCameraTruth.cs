namespace ReId.MLNet.Data.IntraCamera;

/// <summary>
/// The hidden cross-camera truth of an intra-camera supervised training set: which intra-camera identities are the
/// same person. It never hands the global identities out; it only scores an association against them, so a trainer
/// given this object (to report association quality) still cannot learn from the truth.
/// </summary>
public sealed class IntraCameraTruth
{
    private readonly int[] _person;
    private readonly int[] _camera;

    internal IntraCameraTruth(int[] personOfIdentity, int[] cameraOfIdentity)
    {
        _person = personOfIdentity;
        _camera = cameraOfIdentity;
    }

    /// <summary>Number of intra-camera identities.</summary>
    public int Identities => _person.Length;

    /// <summary>
    /// Scores an association: <paramref name="clusterOfIdentity"/> gives each intra-camera identity its pseudo global
    /// identity (-1 = left unlinked); <paramref name="links"/> are the accepted identity pairs before the closure.
    /// </summary>
    public AssociationScore Score(IReadOnlyList<int> clusterOfIdentity, IReadOnlyList<(int A, int B)> links)
    {
        ArgumentNullException.ThrowIfNull(clusterOfIdentity);
        ArgumentNullException.ThrowIfNull(links);
        if (clusterOfIdentity.Count != _person.Length)
            throw new ArgumentException($"Got a cluster for {clusterOfIdentity.Count} identities; the training set has {_person.Length} intra-camera identities.", nameof(clusterOfIdentity));
        int correctLinks = 0;
        foreach (var (a, b) in links)
        {
            if ((uint)a >= (uint)_person.Length || (uint)b >= (uint)_person.Length)
                throw new ArgumentException($"Link ({a}, {b}) names an identity outside [0, {_person.Length}).", nameof(links));
            if (_person[a] == _person[b]) correctLinks++;
        }

        // Cross-camera pairs inside a group = all pairs minus same-camera pairs; counted per group, no N² loop.
        long truePairs = CrossCameraPairs(Enumerable.Range(0, _person.Length).GroupBy(i => _person[i]));
        var predicted = Enumerable.Range(0, _person.Length).Where(i => clusterOfIdentity[i] >= 0).GroupBy(i => clusterOfIdentity[i]).ToList();
        long predictedPairs = CrossCameraPairs(predicted);
        long correctPairs = CrossCameraPairs(predicted.SelectMany(g => g.GroupBy(i => _person[i])));
        int linked = clusterOfIdentity.Count(c => c >= 0);
        return new AssociationScore(links.Count, correctLinks, predictedPairs, truePairs, correctPairs, linked);
    }

    private long CrossCameraPairs(IEnumerable<IEnumerable<int>> groups)
    {
        long pairs = 0;
        foreach (var group in groups)
        {
            var members = group.ToList();
            long all = (long)members.Count * (members.Count - 1) / 2;
            long sameCamera = members.GroupBy(i => _camera[i]).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
            pairs += all - sameCamera;
        }
        return pairs;
    }
}
