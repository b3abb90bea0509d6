using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Evaluation;
using ReId.MLNet.IO;

namespace ReId.MLNet.Ranking;

/// <summary>
/// Exact nearest-neighbour search over a gallery of embeddings for large jobs. Similarities are computed block by block with
/// ONNX Runtime's Gemm (MLAS, multi-threaded, near-peak SIMD), and each query keeps its top k with a threshold scan, so memory
/// stays at one query-block × gallery-block score matrix however large the gallery is.
/// </summary>
public sealed class GalleryIndex : IDisposable
{
    private const uint FileMagic = 0x58444947; // "GIDX"
    private readonly List<float> _features = [];
    private readonly List<int> _identities = [];
    private float[]? _packed;
    private float[]? _squaredNorms;
    private InferenceSession? _session;

    public GalleryIndex(int dim, DistanceMetric metric = DistanceMetric.Cosine)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), "the embedding size must be positive");
        Dim = dim;
        Metric = metric;
    }

    public int Dim { get; }
    public DistanceMetric Metric { get; }
    public int Count => _identities.Count;
    /// <summary>Queries scored per Gemm call.</summary>
    public int QueryBlock { get; set; } = 256;
    /// <summary>Gallery rows scored per Gemm call.</summary>
    public int GalleryBlock { get; set; } = 16384;

    /// <summary>Adds gallery rows (row-major, <see cref="Dim"/> floats a row) with their identities. Cosine rows are L2-normalised.</summary>
    public void Add(ReadOnlySpan<float> features, ReadOnlySpan<int> identities)
    {
        if (features.Length != identities.Length * Dim)
            throw new ArgumentException($"{features.Length} floats are not {identities.Length} rows of {Dim}");
        Features.FiniteValues.ThrowIfNonFinite(features, Dim, "gallery features added to the index");
        float[] copy = features.ToArray();
        if (Metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(copy, Dim);
        _features.AddRange(copy);
        foreach (int id in identities) _identities.Add(id);
        _packed = null;
    }

    /// <summary>The k nearest gallery rows of every query (distance: 1 − cosine, or Euclidean).</summary>
    public GallerySearchResult Search(ReadOnlySpan<float> queries, int topK)
    {
        if (queries.Length % Dim != 0) throw new ArgumentException($"{queries.Length} floats are not whole rows of {Dim}");
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), "topK must be at least 1");
        Features.FiniteValues.ThrowIfNonFinite(queries, Dim, "query features");
        int nq = queries.Length / Dim, ng = Count, k = Math.Min(topK, Math.Max(ng, 1));
        var indices = new int[nq * k];
        var distances = new float[nq * k];
        var ids = new int[nq * k];
        Array.Fill(indices, -1);
        Array.Fill(ids, -1);
        if (ng == 0 || nq == 0) return new GallerySearchResult(nq, k, indices, distances, ids);
        lock (_identities) Prepare(); // concurrent first searches must not build the packed copy and the session twice
        float[] q = queries.ToArray();
        if (Metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(q, Dim);
        var memory = OrtMemoryInfo.DefaultInstance;
        int qb = Math.Max(1, QueryBlock), gb = Math.Max(1, GalleryBlock);
        var scores = new float[qb * Math.Min(gb, ng)];
        // Per query a min-heap of the k best "scores" (higher = better): cosine similarity, or 2q·g − ‖g‖² for Euclidean.
        var heapScore = new float[nq * k];
        var heapIndex = new int[nq * k];
        var heapSize = new int[nq];
        for (int q0 = 0; q0 < nq; q0 += qb)
        {
            int m = Math.Min(qb, nq - q0);
            using var qValue = OrtValue.CreateTensorValueFromMemory(memory, q.AsMemory(q0 * Dim, m * Dim), [m, Dim]);
            for (int g0 = 0; g0 < ng; g0 += gb)
            {
                int n = Math.Min(gb, ng - g0);
                using var gValue = OrtValue.CreateTensorValueFromMemory(memory, _packed.AsMemory(g0 * Dim, n * Dim), [n, Dim]);
                using var sValue = OrtValue.CreateTensorValueFromMemory(memory, scores.AsMemory(0, m * n), [m, n]);
                _session!.Run(null, ["a", "b"], [qValue, gValue], ["s"], [sValue]);
                Parallel.For(0, m, i => Collect(scores.AsSpan(i * n, n), g0, q0 + i, k, heapScore, heapIndex, heapSize));
            }
        }
        Parallel.For(0, nq, i => Finish(q.AsSpan(i * Dim, Dim), i, k, heapScore, heapIndex, heapSize[i], indices, distances, ids));
        return new GallerySearchResult(nq, k, indices, distances, ids);
    }

    private void Collect(Span<float> row, int g0, int query, int k, float[] heapScore, int[] heapIndex, int[] heapSize)
    {
        var hs = heapScore.AsSpan(query * k, k);
        var hi = heapIndex.AsSpan(query * k, k);
        int size = heapSize[query];
        if (Metric == DistanceMetric.Euclidean)
        {
            var norms = _squaredNorms.AsSpan(g0, row.Length);
            for (int j = 0; j < row.Length; j++) row[j] = 2 * row[j] - norms[j];
        }
        float threshold = size == k ? hs[0] : float.NegativeInfinity;
        for (int j = 0; j < row.Length; j++)
        {
            float s = row[j];
            if (s <= threshold) continue;
            if (size < k)
            {
                hs[size] = s; hi[size] = g0 + j; SiftUp(hs, hi, size); size++;
            }
            else
            {
                hs[0] = s; hi[0] = g0 + j; SiftDown(hs, hi, k);
            }
            if (size == k) threshold = hs[0];
        }
        heapSize[query] = size;
    }

    private void Finish(ReadOnlySpan<float> query, int i, int k, float[] heapScore, int[] heapIndex, int size, int[] indices, float[] distances, int[] ids)
    {
        var order = Enumerable.Range(0, size).Select(t => (Score: heapScore[i * k + t], Index: heapIndex[i * k + t]))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Index).ToArray();
        float qNorm = Metric == DistanceMetric.Euclidean ? System.Numerics.Tensors.TensorPrimitives.Dot(query, query) : 0;
        for (int t = 0; t < order.Length; t++)
        {
            indices[i * k + t] = order[t].Index;
            ids[i * k + t] = _identities[order[t].Index];
            distances[i * k + t] = Metric == DistanceMetric.Cosine ? 1 - order[t].Score : MathF.Sqrt(MathF.Max(0, qNorm - order[t].Score));
        }
    }

    private static void SiftUp(Span<float> s, Span<int> idx, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (s[parent] <= s[i]) break;
            (s[parent], s[i]) = (s[i], s[parent]);
            (idx[parent], idx[i]) = (idx[i], idx[parent]);
            i = parent;
        }
    }

    private static void SiftDown(Span<float> s, Span<int> idx, int n)
    {
        int i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, smallest = i;
            if (l < n && s[l] < s[smallest]) smallest = l;
            if (r < n && s[r] < s[smallest]) smallest = r;
            if (smallest == i) return;
            (s[smallest], s[i]) = (s[i], s[smallest]);
            (idx[smallest], idx[i]) = (idx[i], idx[smallest]);
            i = smallest;
        }
    }

    private void Prepare()
    {
        if (_packed is not null && _session is not null) return;
        _packed = [.. _features];
        _squaredNorms = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            var r = _packed.AsSpan(i * Dim, Dim);
            _squaredNorms[i] = System.Numerics.Tensors.TensorPrimitives.Dot(r, r);
        }
        _session ??= DotProducts.CreateSession(Dim);
    }

    /// <summary>Writes the index (metric, dim, identities, features) to a file atomically.</summary>
    public void Save(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream);
            w.Write(FileMagic);
            w.Write(1); // version
            w.Write((int)Metric);
            w.Write(Dim);
            w.Write(Count);
            foreach (int id in _identities) w.Write(id);
            w.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_features)));
        });
    }

    /// <summary>Reads an index written by <see cref="Save"/>; errors name the file.</summary>
    public static GalleryIndex Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"gallery index '{path}' does not exist", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 20 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != FileMagic)
            throw new InvalidDataException($"'{path}' is not a gallery index file");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        var metric = (DistanceMetric)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int dim = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (version != 1 || dim <= 0 || count < 0 || !Enum.IsDefined(metric) || 20L + 4L * count + 4L * count * dim != bytes.Length)
            throw new InvalidDataException($"gallery index '{path}' is corrupt (version {version}, dim {dim}, count {count}, {bytes.Length} bytes)");
        var index = new GalleryIndex(dim, metric);
        var ids = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(20, 4 * count));
        var features = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(20 + 4 * count));
        index._features.AddRange(features);
        foreach (int id in ids) index._identities.Add(id);
        return index;
    }

    public void Dispose() => _session?.Dispose();
}
