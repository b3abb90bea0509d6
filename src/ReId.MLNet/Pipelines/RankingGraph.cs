using ReId.MLNet.Evaluation;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// Builds the exact top-k ranking graph: query [1, D] → distances to the gallery (an initializer) →
/// TopK(smallest) → gallery indices, their identities (Gather) and distances.
/// </summary>
internal static class RankingGraph
{
    public static byte[] Build(
        string queryName, string indicesName, string identitiesName, string distancesName,
        ReadOnlySpan<float> gallery, int dimension, ReadOnlySpan<long> identities, int topK, DistanceMetric metric)
    {
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The feature dimension must be positive.");
        if (gallery.Length == 0)
            throw new ArgumentException("The gallery is empty; ranking needs at least one gallery feature.", nameof(gallery));
        if (gallery.Length % dimension != 0)
            throw new ArgumentException($"The gallery holds {gallery.Length} floats, not a multiple of the dimension {dimension}.", nameof(gallery));
        int n = gallery.Length / dimension;
        if (identities.Length != n)
            throw new ArgumentException($"{identities.Length} gallery identities were given for {n} gallery features.", nameof(identities));
        if (topK <= 0)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be positive.");
        for (int i = 0; i < gallery.Length; i++)
            if (!float.IsFinite(gallery[i]))
                throw new ArgumentException($"Gallery feature {i / dimension} has a non-finite value at position {i % dimension}.", nameof(gallery));
        int k = Math.Min(topK, n);

        // Gallery stored transposed [D, N] so the query product is one MatMul [1,D]×[D,N].
        var transposed = new float[gallery.Length];
        var squaredNorms = new float[n];
        for (int g = 0; g < n; g++)
        {
            var row = gallery.Slice(g * dimension, dimension);
            double sq = 0;
            for (int d = 0; d < dimension; d++)
                sq += (double)row[d] * row[d];
            float scale = metric == DistanceMetric.Cosine ? (float)(1.0 / Math.Max(Math.Sqrt(sq), 1e-12)) : 1f;
            for (int d = 0; d < dimension; d++)
                transposed[d * n + g] = row[d] * scale;
            squaredNorms[g] = (float)sq;
        }

        var b = new OnnxGraphBuilder("reid_rank");
        string q = b.AddInput(queryName, OnnxElementType.Float, 1, dimension);
        string gt = b.AddInitializer("gallery_t", transposed, dimension, n);
        string distances;
        if (metric == DistanceMetric.Cosine)
        {
            string norm = b.Node("ReduceL2", [q], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
            string safe = b.Node("Max", [norm, b.Constant([1e-12f], 1)]);
            string unit = b.Node("Div", [q, safe]);
            string sim = b.Node("MatMul", [unit, gt]);
            distances = b.Node("Sub", [b.Constant([1f], 1), sim]);
        }
        else
        {
            string qq = b.Node("ReduceSumSquare", [q], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
            string qg = b.Node("MatMul", [q, gt]);
            string twoQg = b.Node("Mul", [qg, b.Constant([2f], 1)]);
            string sum = b.Node("Add", [qq, b.AddInitializer("gallery_sq_norms", squaredNorms, 1, n)]);
            string d2 = b.Node("Sub", [sum, twoQg]);
            // Rounding can make ‖q−g‖² slightly negative for near-duplicates; clamp before the square root.
            distances = b.Node("Sqrt", [b.Node("Relu", [d2])]);
        }
        string[] top = b.Node("TopK", [distances, b.Constant([(long)k], 1)], 2,
            OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("largest", 0), OnnxAttribute.Int("sorted", 1));
        string ids = b.AddInitializer("gallery_identities", identities, n);
        string topIds = b.Node("Gather", [ids, top[1]], OnnxAttribute.Int("axis", 0));

        // A query holding NaN or ±∞ has no meaningful ranking (its distances are all NaN and TopK would return an arbitrary
        // order). An ONNX graph cannot raise an error, so such a row gets the documented "no result": every index and identity
        // −1, every distance NaN. bad = any(IsNaN(q) or IsInf(q)), as a [1, 1] boolean that Where broadcasts over the k slots.
        string nonFinite = b.Node("Cast", [b.Node("Or", [b.Node("IsNaN", [q]), b.Node("IsInf", [q])])], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        string bad = b.Node("Cast", [b.Node("ReduceMax", [nonFinite], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1))],
            OnnxAttribute.Int("to", (long)OnnxElementType.Bool));
        string none = b.Constant([-1L], 1);
        b.NodeWithOutputs("Where", [bad, b.Constant([float.NaN], 1), top[0]], [distancesName]);
        b.NodeWithOutputs("Where", [bad, none, top[1]], [indicesName]);
        b.NodeWithOutputs("Where", [bad, none, topIds], [identitiesName]);
        b.AddOutput(indicesName, OnnxElementType.Int64, 1, k);
        b.AddOutput(identitiesName, OnnxElementType.Int64, 1, k);
        b.AddOutput(distancesName, OnnxElementType.Float, 1, k);
        b.SetMetadata("reid.rank.metric", metric.ToString());
        b.SetMetadata("reid.rank.gallerySize", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        byte[] bytes = b.ToBytes();
        OnnxModelChecker.Check(bytes);
        return bytes;
    }
}
