using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// A non-parametric memory of identity centroids (unit vectors) plus K instance slots per identity, the memory CCAFL's
/// ICDL contrasts against. Similarities are computed against the memory as constants (no gradient reaches it); after
/// each step <see cref="Update"/> moves a centroid towards its identity's batch features with momentum and overwrites
/// its instance slots with them. With a camera per class the softmax of a sample runs over its own camera's identities
/// only, which is exactly one memory per camera, vectorised; without, over all classes (the inter-camera memory).
/// </summary>
public sealed class IdentityCentroidMemory : IDisposable
{
    private Tensor _centroids;
    private Tensor _instances;
    private readonly Tensor? _classCamera;

    /// <param name="centroids">[N, D] initial centroids (normalised here).</param>
    /// <param name="instances">[K, N, D] initial instance slots (normalised here).</param>
    /// <param name="classCamera">[N] camera of each class, or null for one softmax over all classes.</param>
    /// <param name="temperature">Softmax temperature (0.05 in the authors' code).</param>
    /// <param name="momentum">Weight of the old centroid in an update.</param>
    /// <param name="updateWithHardest">Move a centroid towards the batch feature least similar to it (the authors'
    /// inter-camera memory) instead of towards the batch mean (their intra-camera memory).</param>
    public IdentityCentroidMemory(Tensor centroids, Tensor instances, Tensor? classCamera, double temperature = 0.05, double momentum = 0.1, bool updateWithHardest = false)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        if (momentum is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "expected a momentum in [0, 1]");
        if (centroids.dim() != 2 || instances.dim() != 3 || instances.shape[1] != centroids.shape[0] || instances.shape[2] != centroids.shape[1])
            throw new ArgumentException($"centroids [{string.Join(", ", centroids.shape)}] and instances [{string.Join(", ", instances.shape)}] must be [N, D] and [K, N, D].");
        if (classCamera is not null && classCamera.shape[0] != centroids.shape[0])
            throw new ArgumentException($"classCamera has {classCamera.shape[0]} entries for {centroids.shape[0]} classes.", nameof(classCamera));
        using (no_grad())
        {
            _centroids = nn.functional.normalize(centroids.detach(), p: 2, dim: 1).clone().DetachFromDisposeScope();
            _instances = nn.functional.normalize(instances.detach(), p: 2, dim: 2).clone().DetachFromDisposeScope();
        }
        _classCamera = classCamera?.to(ScalarType.Int64).clone().DetachFromDisposeScope();
        Temperature = temperature;
        Momentum = momentum;
        UpdateWithHardest = updateWithHardest;
    }

    public double Temperature { get; }
    public double Momentum { get; }
    public bool UpdateWithHardest { get; }
    public int Classes => (int)_centroids.shape[0];
    public int Slots => (int)_instances.shape[0];

    /// <summary>The centroids [N, D] (a view; do not dispose).</summary>
    internal Tensor Centroids => _centroids;

    /// <summary>
    /// Builds the memory from extracted features: centroid = mean of an identity's features; its K slots are features of
    /// that identity drawn with replacement by <paramref name="rng"/>. Samples with label −1 are ignored.
    /// </summary>
    public static IdentityCentroidMemory FromFeatures(float[] features, int dim, IReadOnlyList<int> labels, int classes, int slots, Random rng,
        IReadOnlyList<int>? classCamera, double temperature, double momentum, bool updateWithHardest = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var members = new List<int>[classes];
        for (int c = 0; c < classes; c++) members[c] = [];
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] >= 0) members[labels[i]].Add(i);
        var centroids = new float[classes * dim];
        var instances = new float[slots * classes * dim];
        for (int c = 0; c < classes; c++)
        {
            if (members[c].Count == 0) throw new ArgumentException($"class {c} has no feature to start its centroid from", nameof(labels));
            var centroid = centroids.AsSpan(c * dim, dim);
            foreach (int i in members[c])
                System.Numerics.Tensors.TensorPrimitives.Add(centroid, features.AsSpan(i * dim, dim), centroid);
            for (int k = 0; k < slots; k++)
                features.AsSpan(members[c][rng.Next(members[c].Count)] * dim, dim).CopyTo(instances.AsSpan((k * classes + c) * dim, dim));
        }
        using var centroidTensor = tensor(centroids, [classes, dim]);
        using var instanceTensor = tensor(instances, [slots, classes, dim]);
        using var cameraTensor = classCamera is null ? null : tensor(classCamera.Select(x => (long)x).ToArray());
        return new IdentityCentroidMemory(centroidTensor, instanceTensor, cameraTensor, temperature, momentum, updateWithHardest);
    }

    /// <summary>
    /// Cross-entropy of each sample against the centroids (softmax over its camera's classes) and the hard-instance
    /// cross-entropy: the own-class logit is the LEAST similar own instance slot, every other class's logit its MOST
    /// similar slot, so the hardest positive and hardest negative set the loss.
    /// </summary>
    /// <param name="features">[B, D] (normalised here; gradients flow to them).</param>
    /// <param name="labels">[B] int64 class indices.</param>
    public (Tensor Centroid, Tensor Instance) Losses(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.normalize(features, p: 2, dim: 1);
        var centroidLogits = x.matmul(_centroids.t());
        var slotSims = torch.einsum("bd,knd->kbn", x, _instances);
        var oneHot = nn.functional.one_hot(labels, Classes).to(ScalarType.Bool);
        var hardest = where(oneHot, slotSims.min(0).values, slotSims.max(0).values);
        if (_classCamera is not null)
        {
            var outside = _classCamera.unsqueeze(0).ne(_classCamera.index_select(0, labels).unsqueeze(1));
            centroidLogits = centroidLogits.MaskedFill(outside, double.NegativeInfinity);
            hardest = hardest.MaskedFill(outside, double.NegativeInfinity);
        }
        var centroid = nn.functional.cross_entropy(centroidLogits.Div(Temperature), labels);
        var instance = nn.functional.cross_entropy(hardest.Div(Temperature), labels);
        return (centroid.MoveToOuterDisposeScope(), instance.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// After a step: for each class in the batch, centroid ← m·centroid + (1−m)·target, renormalised (target = batch mean,
    /// or the batch feature least similar to the centroid with <see cref="UpdateWithHardest"/>); its first slots take the
    /// batch's features of that class.
    /// </summary>
    public void Update(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = nn.functional.normalize(features.detach(), p: 2, dim: 1);
        var y = labels.to(ScalarType.Int64).data<long>().ToArray();
        // Updated copies replace the memory: the batch's loss graph still holds the old tensors for its backward pass.
        var centroids = _centroids.clone();
        var instances = _instances.clone();
        foreach (var group in Enumerable.Range(0, y.Length).GroupBy(i => y[i]))
        {
            long c = group.Key;
            var rows = x.index_select(0, tensor(group.Select(i => (long)i).ToArray()));
            var old = centroids[c];
            var target = UpdateWithHardest ? rows[rows.matmul(old).argmin().item<long>()] : rows.mean([0]);
            var moved = old.Mul(Momentum).Add(target.Mul(1 - Momentum));
            centroids[c] = moved / moved.norm();
            long k = Math.Min(Slots, rows.shape[0]);
            for (long s = 0; s < k; s++) instances[s, c] = rows[s];
        }
        _centroids.Dispose();
        _instances.Dispose();
        _centroids = centroids.DetachFromDisposeScope();
        _instances = instances.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _centroids.Dispose();
        _instances.Dispose();
        _classCamera?.Dispose();
    }
}
