using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReId.MLNet.Ranking;

/// <summary>
/// Keeps the k highest scores of a stream with a bounded min-heap. Most candidates of a long row fall below the current k-th
/// best, so rows are first tested a SIMD vector at a time against that threshold and only vectors holding a better score
/// touch the heap: after the first few thousand candidates the scan runs at memory speed.
/// </summary>
internal static class TopKSelector
{
    /// <summary>
    /// Offers <paramref name="scores"/>[j] with index <paramref name="offset"/> + j to the heap (<paramref name="heapScore"/>,
    /// <paramref name="heapIndex"/>, k = their length, <paramref name="size"/> entries used). Equal scores keep the lower index,
    /// whatever order the blocks arrive in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from a search's first rows on, when every score still enters the heap
    public static void Offer(ReadOnlySpan<float> scores, int offset, Span<float> heapScore, Span<int> heapIndex, ref int size)
    {
        int k = heapScore.Length, j = 0;
        while (size < k && j < scores.Length)
        {
            heapScore[size] = scores[j]; heapIndex[size] = offset + j; SiftUp(heapScore, heapIndex, size); size++; j++;
        }
        if (j == scores.Length) return;
        float threshold = heapScore[0];
        int width = Vector<float>.Count;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(scores[j..]);
        for (int v = 0; v < vectors.Length; v++)
        {
            if (!Vector.GreaterThanOrEqualAny(vectors[v], new Vector<float>(threshold))) continue;
            int start = j + v * width;
            for (int t = start; t < start + width; t++)
                if (Better(scores[t], offset + t, threshold, heapIndex[0])) threshold = Replace(heapScore, heapIndex, scores[t], offset + t);
        }
        for (int t = j + vectors.Length * width; t < scores.Length; t++)
            if (Better(scores[t], offset + t, threshold, heapIndex[0])) threshold = Replace(heapScore, heapIndex, scores[t], offset + t);
    }

    private static bool Better(float score, int index, float worstScore, int worstIndex) =>
        score > worstScore || (score == worstScore && index < worstIndex);

    /// <summary>Sorts the heap's entries best first (ties by lower index) into the outputs.</summary>
    public static void SortDescending(Span<float> heapScore, Span<int> heapIndex, int size)
    {
        var keys = heapScore[..size];
        var items = heapIndex[..size];
        keys.Sort(items, Comparison);
        // Span.Sort is not stable; ties must come out by index, as a brute-force order would give them.
        for (int a = 0; a < size;)
        {
            int b = a + 1;
            while (b < size && keys[b] == keys[a]) b++;
            if (b - a > 1) items[a..b].Sort();
            a = b;
        }
    }

    private static readonly Comparison<float> Comparison = (x, y) => y.CompareTo(x);

    private static float Replace(Span<float> s, Span<int> idx, float score, int index)
    {
        s[0] = score; idx[0] = index;
        int n = s.Length, i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, smallest = i;
            if (l < n && Less(s, idx, l, smallest)) smallest = l;
            if (r < n && Less(s, idx, r, smallest)) smallest = r;
            if (smallest == i) return s[0];
            (s[smallest], s[i]) = (s[i], s[smallest]);
            (idx[smallest], idx[i]) = (idx[i], idx[smallest]);
            i = smallest;
        }
    }

    private static void SiftUp(Span<float> s, Span<int> idx, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Less(s, idx, i, parent)) break;
            (s[parent], s[i]) = (s[i], s[parent]);
            (idx[parent], idx[i]) = (idx[i], idx[parent]);
            i = parent;
        }
    }

    // The heap's root is the worst kept entry: the lowest score, and among equal scores the highest index.
    private static bool Less(Span<float> s, Span<int> idx, int a, int b) => s[a] < s[b] || (s[a] == s[b] && idx[a] > idx[b]);
}
