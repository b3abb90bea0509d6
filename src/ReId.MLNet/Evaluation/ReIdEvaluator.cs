namespace ReId.MLNet.Evaluation;

/// <summary>CMC, mAP and mINP of a query × gallery distance matrix under a <see cref="EvaluationProtocol"/>.</summary>
public static class ReIdEvaluator
{
    /// <summary>Evaluates a row-major distance matrix (smaller = more similar). Clothes arrays are needed only for <see cref="EvaluationProtocol.ClothesChangingOnly"/>.</summary>
    public static ReIdMetrics Evaluate(ReadOnlySpan<float> distances, int numQuery, int numGallery,
        int[] queryIds, int[] galleryIds, int[] queryCameras, int[] galleryCameras,
        int[]? queryClothes = null, int[]? galleryClothes = null, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        Validate(distances.Length, numQuery, numGallery, queryIds, galleryIds, queryCameras, galleryCameras, queryClothes, galleryClothes, options);
        // A NaN distance sorts to an arbitrary place and silently changes every metric.
        Features.FiniteValues.ThrowIfNonFinite(distances, numGallery, "distance matrix");
        int maxRank = options.MaxRank;
        float[] dist = distances.ToArray();
        var perQueryCmc = new float[numQuery][];
        var ap = new double[numQuery];
        var inp = new double[numQuery];
        var valid = new bool[numQuery];
        var positives = new List<float>[numQuery];
        var negatives = new List<float>[numQuery];
        bool roc = options.RocFprs is { Length: > 0 };

        Parallel.For(0, numQuery, () => (new float[numGallery], new int[numGallery]), (q, _, buffers) =>
        {
            var (keys, order) = buffers;
            dist.AsSpan(q * numGallery, numGallery).CopyTo(keys);
            for (int j = 0; j < numGallery; j++) order[j] = j;
            Array.Sort(keys, order); // ties keep no particular order; distances rarely tie exactly
            var cmc = new float[maxRank];
            int kept = 0, matches = 0, lastMatchRank = 0;
            double precisionSum = 0;
            List<float>? pos = roc ? [] : null, neg = roc ? [] : null;
            for (int r = 0; r < numGallery; r++)
            {
                int g = order[r];
                if (Ignored(options.Protocol, q, g, queryIds, galleryIds, queryCameras, galleryCameras, queryClothes, galleryClothes)) continue;
                bool match = galleryIds[g] == queryIds[q];
                if (match)
                {
                    if (matches == 0)
                        for (int k = kept; k < maxRank; k++) cmc[k] = 1; // padded to the full length even when few items remain
                    matches++;
                    precisionSum += (double)matches / (kept + 1);
                    lastMatchRank = kept + 1;
                    pos?.Add(keys[r]);
                }
                else neg?.Add(keys[r]);
                kept++;
            }
            if (matches > 0)
            {
                valid[q] = true;
                perQueryCmc[q] = cmc;
                ap[q] = precisionSum / matches;
                inp[q] = (double)matches / lastMatchRank;
                positives[q] = pos!;
                negatives[q] = neg!;
            }
            return buffers;
        }, _ => { });

        int validCount = valid.Count(v => v);
        if (validCount == 0)
            throw new InvalidOperationException("no query has a valid match in the gallery under the " + options.Protocol + " protocol; check identities and cameras");
        var curve = new float[maxRank];
        double mAP = 0, mINP = 0;
        for (int q = 0; q < numQuery; q++)
        {
            if (!valid[q]) continue;
            for (int k = 0; k < maxRank; k++) curve[k] += perQueryCmc[q][k];
            mAP += ap[q];
            mINP += inp[q];
        }
        for (int k = 0; k < maxRank; k++) curve[k] /= validCount;
        double[]? tprs = roc ? Roc(options.RocFprs!, positives.Where(p => p is not null).SelectMany(p => p), negatives.Where(n => n is not null).SelectMany(n => n)) : null;
        return new ReIdMetrics
        {
            MeanAveragePrecision = mAP / validCount,
            MeanInverseNegativePenalty = mINP / validCount,
            Cmc = curve,
            ValidQueries = validCount,
            Tprs = tprs,
            Fprs = roc ? (double[])options.RocFprs!.Clone() : null,
        };
    }

    /// <summary>Computes distances from embeddings (row-major, <paramref name="dim"/> floats a row) and evaluates them.</summary>
    public static ReIdMetrics Evaluate(float[] queryFeatures, float[] galleryFeatures, int dim,
        int[] queryIds, int[] galleryIds, int[] queryCameras, int[] galleryCameras,
        int[]? queryClothes = null, int[]? galleryClothes = null, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        float[] dist = DistanceMatrix.Compute(queryFeatures, galleryFeatures, dim, options.Metric);
        return Evaluate(dist, queryIds.Length, galleryIds.Length, queryIds, galleryIds, queryCameras, galleryCameras, queryClothes, galleryClothes, options);
    }

    private static bool Ignored(EvaluationProtocol protocol, int q, int g, int[] qIds, int[] gIds, int[] qCams, int[] gCams, int[]? qClothes, int[]? gClothes)
    {
        if (gIds[g] == -1) return true; // junk
        switch (protocol)
        {
            case EvaluationProtocol.VehicleId:
                return false;
            case EvaluationProtocol.ClothesChangingOnly:
                if (gIds[g] == qIds[q] && (gCams[g] == qCams[q] || gClothes![g] == qClothes![q])) return true;
                return false;
            default:
                return gIds[g] == qIds[q] && gCams[g] == qCams[q];
        }
    }

    /// <summary>TPR at each FPR: the threshold is the distance below which that fraction of negative pairs falls.</summary>
    private static double[] Roc(double[] fprs, IEnumerable<float> positiveDistances, IEnumerable<float> negativeDistances)
    {
        var pos = positiveDistances.ToArray();
        var neg = negativeDistances.ToArray();
        Array.Sort(pos);
        Array.Sort(neg);
        var result = new double[fprs.Length];
        for (int i = 0; i < fprs.Length; i++)
        {
            if (neg.Length == 0 || pos.Length == 0) { result[i] = double.NaN; continue; }
            int allowed = (int)Math.Floor(fprs[i] * neg.Length); // negatives that may be accepted
            float threshold = allowed >= neg.Length ? float.PositiveInfinity : neg[allowed];
            int accepted = LowerBound(pos, threshold); // positives strictly below the first rejected negative
            result[i] = (double)accepted / pos.Length;
        }
        return result;
    }

    private static int LowerBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static void Validate(int distanceCount, int nq, int ng, int[] qIds, int[] gIds, int[] qCams, int[] gCams, int[]? qClothes, int[]? gClothes, EvaluationOptions options)
    {
        if (nq <= 0 || ng <= 0) throw new ArgumentException($"need at least one query and one gallery item (got {nq} and {ng})");
        if ((long)nq * ng != distanceCount) throw new ArgumentException($"distance matrix has {distanceCount} values; expected {nq} × {ng}");
        if (qIds.Length != nq || qCams.Length != nq) throw new ArgumentException($"query identities/cameras have {qIds.Length}/{qCams.Length} entries; expected {nq}");
        if (gIds.Length != ng || gCams.Length != ng) throw new ArgumentException($"gallery identities/cameras have {gIds.Length}/{gCams.Length} entries; expected {ng}");
        if (options.MaxRank < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxRank must be at least 1");
        if (options.Protocol == EvaluationProtocol.ClothesChangingOnly && (qClothes is null || gClothes is null || qClothes.Length != nq || gClothes.Length != ng))
            throw new ArgumentException("the clothes-change-only protocol needs clothes ids for every query and gallery item");
    }
}
