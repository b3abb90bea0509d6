using System.Numerics.Tensors;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// Links intra-camera identities of different cameras into pseudo global identities (CCAFL, Tan et al. 2024, after the
/// authors' released code): the mean feature of every intra-camera identity is L2-normalised; all cross-camera pairs are
/// ranked by squared Euclidean distance; the closest <c>rate × N</c> pairs (N = number of intra-camera identities) are
/// visited in order and a pair is accepted unless one side already has a link into the other side's camera (at most one
/// link per identity and other camera); the connected components of the accepted links are the pseudo identities, and
/// identities without any link stay out (−1). The code's DBSCAN over a 0/1000 link matrix with eps 3 and 2 samples is
/// exactly that closure, so it is computed directly with a union-find.
/// </summary>
public static class CrossCameraAssociation
{
    /// <param name="features">[N, D] row-major mean features, one row per intra-camera identity (normalised here).</param>
    /// <param name="cameraOfIdentity">Camera index of each identity.</param>
    /// <param name="rate">Pairs considered per identity (the authors: 1.7 on Market-1501, 1.3 on MSMT17).</param>
    public static CrossCameraAssociationResult Associate(ReadOnlySpan<float> features, IReadOnlyList<int> cameraOfIdentity, double rate)
    {
        ArgumentNullException.ThrowIfNull(cameraOfIdentity);
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        int n = cameraOfIdentity.Count;
        if (n == 0) return new CrossCameraAssociationResult([], 0, [], 0);
        if (features.Length % n != 0 || features.Length == 0)
            throw new ArgumentException($"Got {features.Length} feature values for {n} identities; expected N × D.", nameof(features));
        int dim = features.Length / n;
        var unit = new float[features.Length];
        for (int i = 0; i < n; i++)
        {
            var row = features.Slice(i * dim, dim);
            float norm = TensorPrimitives.Norm(row);
            TensorPrimitives.Divide(row, norm > 0 ? norm : 1, unit.AsSpan(i * dim, dim));
        }

        // Squared distance of unit vectors = 2 − 2·cos; rank by −cos (the same order, no extra work).
        var candidates = new List<(float Distance, int A, int B)>();
        for (int i = 0; i < n; i++)
        {
            var a = unit.AsSpan(i * dim, dim);
            for (int j = i + 1; j < n; j++)
            {
                if (cameraOfIdentity[i] == cameraOfIdentity[j]) continue;
                candidates.Add((2 - 2 * TensorPrimitives.Dot(a, unit.AsSpan(j * dim, dim)), i, j));
            }
        }

        // Ties broken by index so that the result never depends on the sort's stability.
        candidates.Sort((x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));
        int budget = (int)Math.Min(candidates.Count, Math.Floor(rate * n));
        var covered = new HashSet<(int Identity, int Camera)>();
        var links = new List<(int A, int B)>();
        var parent = Enumerable.Range(0, n).ToArray();
        for (int k = 0; k < budget; k++)
        {
            var (_, a, b) = candidates[k];
            if (covered.Contains((a, cameraOfIdentity[b])) || covered.Contains((b, cameraOfIdentity[a]))) continue;
            covered.Add((a, cameraOfIdentity[b]));
            covered.Add((b, cameraOfIdentity[a]));
            links.Add((a, b));
            parent[Find(parent, a)] = Find(parent, b);
        }

        var linked = new bool[n];
        foreach (var (a, b) in links) linked[a] = linked[b] = true;
        var cluster = new int[n];
        var clusterOfRoot = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            if (!linked[i])
            {
                cluster[i] = -1;
                continue;
            }
            int root = Find(parent, i);
            if (!clusterOfRoot.TryGetValue(root, out int c)) clusterOfRoot[root] = c = clusterOfRoot.Count;
            cluster[i] = c;
        }
        return new CrossCameraAssociationResult(cluster, clusterOfRoot.Count, links, budget);
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
