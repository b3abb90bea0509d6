using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Evaluation;
using ReId.MLNet.IO;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Ranking;

/// <summary>
/// Exact nearest-neighbour search over a gallery of embeddings for large jobs. On CPUs with AVX-512 the scores come from a fused
/// kernel (<see cref="FusedDotTopK"/>) that compares each 12 × 32 block of scores with the queries' current k-th best while
/// they are still in registers, so no score matrix is ever written; elsewhere, and on a GPU, from ONNX Runtime Gemm tiles
/// (MLAS or CUDA) that each worker scans with SIMD straight away while they are still in cache. Either way every worker
/// thread keeps its own top-k heaps, merged at the end: nothing serialises, no thread waits for another. Memory beyond the
/// gallery is a packed chunk (fused) or one score tile (Gemm) per thread and k entries per query per thread. Rows may be
/// stored as float16 or int8 (<see cref="Storage"/>) to halve or quarter the memory; they are widened to float32 a chunk at a
/// time.
/// </summary>
public sealed class GalleryIndex : IGallerySearch, IDisposable
{
    private const uint FileMagic = 0x58444947; // "GIDX"
    private readonly List<float> _features = [];
    private readonly List<int> _identities = [];
    private readonly object _sessionLock = new();
    private GalleryStorage _storage;
    private int _packedRows;
    private float[]? _packedFloat32;
    private Half[]? _packedHalf;
    private sbyte[]? _packedInt8;
    private float[]? _rowScales;
    private float[] _squaredNorms = [];
    private InferenceSession? _session;
    private int? _gpuDeviceId;

    public GalleryIndex(int dim, DistanceMetric metric = DistanceMetric.Cosine)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), "the embedding size must be positive");
        Dim = dim;
        Metric = metric;
    }

    public int Dim { get; }
    public DistanceMetric Metric { get; }
    public int Count => _identities.Count;
    /// <summary>Queries scored per Gemm call (at most).</summary>
    public int QueryBlock { get; set; } = 512;
    /// <summary>Gallery rows scored per Gemm call (at most; smaller galleries are cut into enough tiles for every thread).</summary>
    public int GalleryBlock { get; set; } = 2048;
    /// <summary>Worker threads of <see cref="Search"/>; null uses every core.</summary>
    public int? Threads { get; set; }
    /// <summary>How scores are computed; <see cref="GallerySearchKernel.Auto"/> picks the fused AVX-512 kernel where it runs.</summary>
    public GallerySearchKernel Kernel { get; set; }
    /// <summary>Gallery rows the fused kernel packs at a time (rounded up to whole 32-row panels; at most, smaller galleries get smaller chunks).</summary>
    public int FusedChunkRows { get; set; } = 128;

    /// <summary>
    /// CUDA device for the Gemm (the GPU ONNX Runtime package is needed; without a usable device the first search fails naming it).
    /// Tiles are then large and scored one at a time on the device while the top-k scan runs on every core.
    /// </summary>
    public int? GpuDeviceId
    {
        get => _gpuDeviceId;
        set { if (value != _gpuDeviceId) { _session?.Dispose(); _session = null; _gpuDeviceId = value; } }
    }

    /// <summary>How rows are kept in memory; changing it re-encodes the rows at the next search.</summary>
    public GalleryStorage Storage
    {
        get => _storage;
        set
        {
            if (value == _storage) return;
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "unknown gallery storage");
            float[] rows = AllRowsAsFloat32();
            ClearPacked();
            _features.Clear();
            _features.AddRange(rows);
            _storage = value;
        }
    }

    /// <summary>Bytes held for the gallery rows once packed (values, per-row scales and squared norms; identities excluded).</summary>
    public long StorageBytes => (long)Count * Dim * _storage switch { GalleryStorage.Float16 => 2, GalleryStorage.Int8 => 1, _ => 4 }
        + (long)Count * (_storage == GalleryStorage.Int8 ? 8 : 4);

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
        // The rows stay in _features until the next search packs them (Prepare); packed rows are kept as they are.
    }

    /// <summary>
    /// Adds rows the caller hands over (it must not touch <paramref name="rows"/> again): an empty float32 index keeps the array
    /// itself as its packed storage, normalised in place, so a large gallery read from a file is never copied. Otherwise as
    /// <see cref="Add"/>.
    /// </summary>
    internal void AddOwned(float[] rows, ReadOnlySpan<int> identities)
    {
        if (Count > 0 || _storage != GalleryStorage.Float32) { Add(rows, identities); return; }
        if (rows.Length != identities.Length * Dim)
            throw new ArgumentException($"{rows.Length} floats are not {identities.Length} rows of {Dim}");
        Features.FiniteValues.ThrowIfNonFinite(rows, Dim, "gallery features added to the index");
        if (Metric == DistanceMetric.Cosine) DistanceMatrix.NormalizeRows(rows, Dim);
        foreach (int id in identities) _identities.Add(id);
        _packedFloat32 = rows;
        _packedRows = Count;
        _squaredNorms = Metric == DistanceMetric.Euclidean ? NegatedSquaredNorms(rows) : [];
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

        int threads = Math.Max(1, Threads ?? Environment.ProcessorCount);
        var (heapScore, heapIndex, heapSize) = UsesFusedKernel() ? ScanFused(q, nq, k, threads) : ScanWithGemm(q, nq, k, threads);
        int workers = heapScore.Length;
        Parallel.For(0, nq, i => Finish(q.AsSpan(i * Dim, Dim), i, k, workers, heapScore, heapIndex, heapSize, indices, distances, ids));
        return new GallerySearchResult(nq, k, indices, distances, ids);
    }

    /// <summary>Whether <see cref="Search"/> runs the fused kernel (see <see cref="Kernel"/>).</summary>
    private bool UsesFusedKernel() => Kernel switch
    {
        GallerySearchKernel.Gemm => false,
        GallerySearchKernel.Fused when !FusedDotTopK.IsSupported =>
            throw new PlatformNotSupportedException($"{nameof(GalleryIndex)}.{nameof(Kernel)} is {GallerySearchKernel.Fused}, which needs AVX-512F; this CPU has none (use {GallerySearchKernel.Auto} or {GallerySearchKernel.Gemm})"),
        GallerySearchKernel.Fused when _gpuDeviceId is not null =>
            throw new InvalidOperationException($"{nameof(GalleryIndex)}.{nameof(Kernel)} is {GallerySearchKernel.Fused}, which runs on the CPU, but {nameof(GpuDeviceId)} asks for a GPU (use {GallerySearchKernel.Auto} or {GallerySearchKernel.Gemm})"),
        GallerySearchKernel.Fused => true,
        _ => FusedDotTopK.IsSupported && _gpuDeviceId is null,
    };

    /// <summary>Per-worker top-k heaps (scores, row indices, sizes), filled by Gemm tiles and a SIMD scan of each tile.</summary>
    private (float[][] Scores, int[][] Indices, int[][] Sizes) ScanWithGemm(float[] q, int nq, int k, int threads)
    {
        int ng = Count;
        lock (_sessionLock)
            _session ??= DotProducts.CreateSession(Dim, new OnnxSessionOptions { IntraOpThreads = 1, GpuDeviceId = _gpuDeviceId, FallbackToCpu = false });
        bool onGpu = _gpuDeviceId is not null;
        int qb = Math.Clamp(onGpu ? Math.Max(QueryBlock, 1024) : QueryBlock, 1, nq);
        // Enough tiles for every thread to stay busy to the end, but no tile narrower than MLAS likes; one large tile at a time on a GPU.
        int gb = onGpu ? Math.Min(ng, 32768)
            : Math.Clamp((ng + 4 * threads - 1) / (4 * threads), Math.Min(256, GalleryBlock), Math.Max(1, GalleryBlock));
        int tiles = (ng + gb - 1) / gb;
        int workers = onGpu ? 1 : Math.Min(threads, tiles);
        // Per worker: a min-heap of the k best "scores" (higher = better) per query: cosine similarity, or 2q·g − ‖g‖².
        var heapScore = new float[workers][];
        var heapIndex = new int[workers][];
        var heapSize = new int[workers][];
        int nextTile = -1;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var hs = heapScore[w] = new float[(long)nq * k];
            var hi = heapIndex[w] = new int[(long)nq * k];
            var size = heapSize[w] = new int[nq];
            var scores = new float[qb * gb];
            float[]? widened = _storage == GalleryStorage.Float32 ? null : new float[gb * Dim];
            int tile;
            while ((tile = Interlocked.Increment(ref nextTile)) < tiles)
            {
                int g0 = tile * gb, n = Math.Min(gb, ng - g0);
                Memory<float> gallery = widened is null ? _packedFloat32.AsMemory(g0 * Dim, n * Dim) : Widen(g0, n, widened);
                for (int q0 = 0; q0 < nq; q0 += qb)
                {
                    int m = Math.Min(qb, nq - q0);
                    Scores(q.AsMemory(q0 * Dim, m * Dim), m, gallery, n, scores);
                    void Scan(int i)
                    {
                        var row = scores.AsSpan(i * n, n);
                        if (Metric == DistanceMetric.Euclidean)
                            TensorPrimitives.MultiplyAdd(row, 2f, _squaredNorms.AsSpan(g0, n), row);
                        int query = q0 + i;
                        TopKSelector.Offer(row, g0, hs.AsSpan(query * k, k), hi.AsSpan(query * k, k), ref size[query]);
                    }
                    // On a GPU the one worker's rows are scanned by every core (each row has its own heap, so no locking).
                    if (onGpu) Parallel.For(0, m, Scan);
                    else for (int i = 0; i < m; i++) Scan(i);
                }
            }
        });
        return (heapScore, heapIndex, heapSize);
    }

    /// <summary>
    /// Per-worker top-k heaps filled by <see cref="FusedDotTopK"/>: workers take chunks of gallery rows, pack each into 32-row
    /// panels that stay in L2, and run every 12-query group over them; a score reaches a heap only when it beats that query's
    /// current k-th best.
    /// </summary>
    private (float[][] Scores, int[][] Indices, int[][] Sizes) ScanFused(float[] q, int nq, int k, int threads)
    {
        int ng = Count, dim = Dim, groups = (nq + FusedDotTopK.QueryRows - 1) / FusedDotTopK.QueryRows;
        var packedQueries = GC.AllocateUninitializedArray<float>(groups * FusedDotTopK.QueryRows * dim, pinned: true);
        for (int g = 0; g < groups; g++)
        {
            int q0 = g * FusedDotTopK.QueryRows, rows = Math.Min(FusedDotTopK.QueryRows, nq - q0);
            FusedDotTopK.PackQueries(q.AsSpan(q0 * dim, rows * dim), rows, dim,
                packedQueries.AsSpan(g * FusedDotTopK.QueryRows * dim, FusedDotTopK.QueryRows * dim));
        }
        // A chunk is a whole number of panels, small enough that its packed panels stay in a core's L2 and that every thread gets
        // several chunks (a gallery of a few thousand rows still keeps all cores busy).
        int panel = FusedDotTopK.PanelRows;
        int chunk = Math.Clamp((ng + 4 * threads - 1) / (4 * threads), panel, Math.Max(panel, FusedChunkRows));
        chunk = (chunk + panel - 1) / panel * panel;
        int chunks = (ng + chunk - 1) / chunk;
        int workers = Math.Min(threads, chunks);
        var heapScore = new float[workers][];
        var heapIndex = new int[workers][];
        var heapSize = new int[workers][];
        int nextChunk = -1;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            heapScore[w] = new float[(long)nq * k];
            heapIndex[w] = new int[(long)nq * k];
            heapSize[w] = new int[nq];
            var panels = GC.AllocateUninitializedArray<float>(chunk * dim, pinned: true);
            var bias = Metric == DistanceMetric.Euclidean ? GC.AllocateArray<float>(chunk, pinned: true) : null;
            float[]? widened = _storage == GalleryStorage.Float32 ? null : new float[chunk * dim];
            int c;
            while ((c = Interlocked.Increment(ref nextChunk)) < chunks)
            {
                int g0 = c * chunk, n = Math.Min(chunk, ng - g0);
                ReadOnlySpan<float> rows = widened is null ? _packedFloat32.AsSpan(g0 * dim, n * dim) : Widen(g0, n, widened).Span;
                for (int p = 0; p * panel < n; p++)
                {
                    int m = Math.Min(panel, n - p * panel);
                    FusedDotTopK.PackPanel(rows.Slice(p * panel * dim, m * dim), m, dim, panels.AsSpan(p * panel * dim, panel * dim));
                }
                if (bias is not null) _squaredNorms.AsSpan(g0, n).CopyTo(bias);
                ScoreChunkFused(packedQueries, groups, nq, k, panels, bias, g0, n, heapScore[w], heapIndex[w], heapSize[w]);
            }
        });
        return (heapScore, heapIndex, heapSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a one-off search (reid search) would otherwise start it at tier 0
    private unsafe void ScoreChunkFused(float[] packedQueries, int groups, int nq, int k, float[] panels, float[]? bias, int g0, int n,
        float[] heapScore, int[] heapIndex, int[] heapSize)
    {
        const int qr = FusedDotTopK.QueryRows, pr = FusedDotTopK.PanelRows;
        int dim = Dim, panelCount = (n + pr - 1) / pr;
        float* thresholds = stackalloc float[qr];
        float* scores = stackalloc float[qr * pr];
        fixed (float* queries = packedQueries, packed = panels, norms = bias)
        {
            for (int g = 0; g < groups; g++)
            {
                int q0 = g * qr, rows = Math.Min(qr, nq - q0);
                for (int r = 0; r < qr; r++) thresholds[r] = r < rows ? Threshold(q0 + r) : float.PositiveInfinity;
                float* group = queries + (long)g * qr * dim;
                for (int p = 0; p < panelCount; p++)
                {
                    int hits = FusedDotTopK.ScoreBlock(group, packed + (long)p * pr * dim, dim, thresholds, norms == null ? null : norms + p * pr, scores);
                    while (hits != 0)
                    {
                        int r = BitOperations.TrailingZeroCount(hits);
                        hits &= hits - 1;
                        int query = q0 + r;
                        TopKSelector.Offer(new ReadOnlySpan<float>(scores + r * pr, Math.Min(pr, n - p * pr)), g0 + p * pr,
                            heapScore.AsSpan(query * k, k), heapIndex.AsSpan(query * k, k), ref heapSize[query]);
                        thresholds[r] = Threshold(query);
                    }
                }
            }
        }

        // A score can enter query i's heap only if it is at least the heap's worst (its root) once the heap is full.
        float Threshold(int query) => heapSize[query] == k ? heapScore[query * k] : float.NegativeInfinity;
    }

    /// <summary>scores [m, n] = queries [m, Dim] · galleryᵀ with the single-threaded Gemm session (thread-safe to call).</summary>
    private void Scores(Memory<float> queries, int m, Memory<float> gallery, int n, float[] scores)
    {
        var memory = OrtMemoryInfo.DefaultInstance;
        using var qValue = OrtValue.CreateTensorValueFromMemory(memory, queries, [m, Dim]);
        using var gValue = OrtValue.CreateTensorValueFromMemory(memory, gallery, [n, Dim]);
        using var sValue = OrtValue.CreateTensorValueFromMemory(memory, scores.AsMemory(0, m * n), [m, n]);
        _session!.Run(null, ["a", "b"], [qValue, gValue], ["s"], [sValue]);
    }

    private Memory<float> Widen(int g0, int n, float[] target)
    {
        var dst = target.AsSpan(0, n * Dim);
        if (_storage == GalleryStorage.Float16)
        {
            TensorPrimitives.ConvertToSingle(_packedHalf.AsSpan(g0 * Dim, n * Dim), dst);
        }
        else
        {
            for (int r = 0; r < n; r++)
                WidenInt8(_packedInt8.AsSpan((g0 + r) * Dim, Dim), _rowScales![g0 + r], dst.Slice(r * Dim, Dim));
        }
        return target.AsMemory(0, n * Dim);
    }

    private void Finish(ReadOnlySpan<float> query, int i, int k, int workers, float[][] heapScore, int[][] heapIndex, int[][] heapSize,
        int[] indices, float[] distances, int[] ids)
    {
        var mergedScore = new float[workers * k];
        var mergedIndex = new int[workers * k];
        int count = 0;
        for (int w = 0; w < workers; w++)
        {
            int size = heapSize[w][i];
            heapScore[w].AsSpan(i * k, size).CopyTo(mergedScore.AsSpan(count));
            heapIndex[w].AsSpan(i * k, size).CopyTo(mergedIndex.AsSpan(count));
            count += size;
        }
        TopKSelector.SortDescending(mergedScore, mergedIndex, count);
        float qNorm = Metric == DistanceMetric.Euclidean ? TensorPrimitives.Dot(query, query) : 0;
        for (int t = 0; t < Math.Min(k, count); t++)
        {
            indices[i * k + t] = mergedIndex[t];
            ids[i * k + t] = _identities[mergedIndex[t]];
            distances[i * k + t] = Metric == DistanceMetric.Cosine ? 1 - mergedScore[t] : MathF.Sqrt(MathF.Max(0, qNorm - mergedScore[t]));
        }
    }

    /// <summary>Moves rows added since the last search into the packed storage.</summary>
    private void Prepare()
    {
        if (_features.Count > 0 || _packedRows != Count)
        {
            float[] rows = AllRowsAsFloat32();
            ClearPacked();
            _features.Clear();
            _features.TrimExcess();
            switch (_storage)
            {
                case GalleryStorage.Float16:
                    _packedHalf = new Half[rows.Length];
                    TensorPrimitives.ConvertToHalf(rows, _packedHalf);
                    break;
                case GalleryStorage.Int8:
                    _packedInt8 = new sbyte[rows.Length];
                    _rowScales = new float[Count];
                    for (int i = 0; i < Count; i++)
                    {
                        var r = rows.AsSpan(i * Dim, Dim);
                        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(r));
                        float scale = max > 0 ? max / 127f : 1f;
                        _rowScales[i] = scale;
                        var target = _packedInt8.AsSpan(i * Dim, Dim);
                        for (int d = 0; d < Dim; d++) target[d] = (sbyte)Math.Clamp(MathF.Round(r[d] / scale), -127, 127);
                    }
                    break;
                default:
                    _packedFloat32 = rows;
                    break;
            }
            _packedRows = Count;
            // Norms of the rows as stored, so a Euclidean distance is exactly that of the stored (rounded) row; cosine needs none
            // (and must not widen a compressed gallery back to float32 just for them).
            _squaredNorms = Metric != DistanceMetric.Euclidean ? []
                : NegatedSquaredNorms(_storage == GalleryStorage.Float32 ? rows : AllRowsAsFloat32());
        }
    }

    /// <summary>−‖g‖² of every row: the Euclidean score 2q·g − ‖g‖² is then one fused multiply-add per entry.</summary>
    private float[] NegatedSquaredNorms(float[] stored)
    {
        var norms = new float[Count];
        for (int i = 0; i < norms.Length; i++)
        {
            var r = stored.AsSpan(i * Dim, Dim);
            norms[i] = -TensorPrimitives.Dot(r, r);
        }
        return norms;
    }

    /// <summary>Every row as float32 (widened from the packed storage where needed), packed rows first.</summary>
    private float[] AllRowsAsFloat32()
    {
        var rows = new float[(long)Count * Dim];
        var packedPart = rows.AsSpan(0, _packedRows * Dim);
        if (_packedFloat32 is not null) _packedFloat32.AsSpan(0, packedPart.Length).CopyTo(packedPart);
        else if (_packedHalf is not null) TensorPrimitives.ConvertToSingle(_packedHalf, packedPart);
        else if (_packedInt8 is not null)
            for (int i = 0; i < _packedRows; i++)
                WidenInt8(_packedInt8.AsSpan(i * Dim, Dim), _rowScales![i], packedPart.Slice(i * Dim, Dim));
        CollectionsMarshal.AsSpan(_features).CopyTo(rows.AsSpan(packedPart.Length));
        return rows;
    }

    /// <summary>target = values · scale, a SIMD vector at a time (sbyte → short → int → float).</summary>
    private static void WidenInt8(ReadOnlySpan<sbyte> values, float scale, Span<float> target)
    {
        int width = Vector<sbyte>.Count, i = 0;
        var s = new Vector<float>(scale);
        for (; i + width <= values.Length; i += width)
        {
            Vector.Widen(new Vector<sbyte>(values[i..]), out Vector<short> low, out Vector<short> high);
            Vector.Widen(low, out Vector<int> a, out Vector<int> b);
            Vector.Widen(high, out Vector<int> c, out Vector<int> d);
            int quarter = Vector<int>.Count;
            (Vector.ConvertToSingle(a) * s).CopyTo(target[i..]);
            (Vector.ConvertToSingle(b) * s).CopyTo(target[(i + quarter)..]);
            (Vector.ConvertToSingle(c) * s).CopyTo(target[(i + 2 * quarter)..]);
            (Vector.ConvertToSingle(d) * s).CopyTo(target[(i + 3 * quarter)..]);
        }
        for (; i < values.Length; i++) target[i] = values[i] * scale;
    }

    private void ClearPacked()
    {
        _packedFloat32 = null;
        _packedHalf = null;
        _packedInt8 = null;
        _rowScales = null;
        _packedRows = 0;
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
            w.Write(MemoryMarshal.AsBytes(AllRowsAsFloat32().AsSpan()));
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
