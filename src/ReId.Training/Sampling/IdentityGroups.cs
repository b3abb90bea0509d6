namespace ReId.Training.Sampling;

/// <summary>torchreid's per-identity grouping: indices shuffled, topped up with replacement to K, chunked into groups of K.</summary>
internal static class IdentityGroups
{
    public static Queue<int[]> Build(IReadOnlyList<int> indices, int k, Random rng)
    {
        int[] pool;
        if (indices.Count < k)
        {
            pool = new int[k];
            for (int i = 0; i < k; i++)
            {
                pool[i] = indices[rng.Next(indices.Count)];
            }
        }
        else
        {
            pool = [.. indices];
        }

        rng.Shuffle(pool);
        var groups = new Queue<int[]>(pool.Length / k);
        for (int start = 0; start + k <= pool.Length; start += k)
        {
            groups.Enqueue(pool[start..(start + k)]);
        }

        return groups;
    }

    /// <summary>Draws P distinct identities at a time among those with groups left, until fewer than P remain.</summary>
    public static void DrawBatches(IReadOnlyList<int> identities, Dictionary<int, Queue<int[]>> groups, int p, Random rng, List<int[]> output)
    {
        var available = new List<int>(identities.Where(id => groups[id].Count > 0));
        while (available.Count >= p)
        {
            var batch = new List<int>();
            // Partial Fisher–Yates: the first P entries become a uniform sample without replacement.
            for (int i = 0; i < p; i++)
            {
                int j = i + rng.Next(available.Count - i);
                (available[i], available[j]) = (available[j], available[i]);
            }

            for (int i = 0; i < p; i++)
            {
                var group = groups[available[i]].Dequeue();
                batch.AddRange(group);
            }

            available.RemoveAll(id => groups[id].Count == 0);
            output.Add([.. batch]);
        }
    }
}
