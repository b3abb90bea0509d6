using ReId.Training.Utils;

using ReId.Training.Losses;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's stage-2 objective and its per-epoch state: <see cref="PrepareEpoch"/> takes the features of every training
/// image (extracted by the current network), associates intra-camera identities across cameras and rebuilds the
/// memories; <see cref="Loss"/> computes the epoch's losses on a batch and moves the memories. The intra-camera phase
/// runs ICDL; after <see cref="CcaflOptions.IntraEpochs"/> (with association on) the inter-camera phase learns the
/// associated pseudo identities, ICAL inside its window. Identities left unlinked sit out the inter-camera losses.
/// Once <see cref="SetClassText"/> gave it the prompts' text features, ICDL adds an image-to-text cross-entropy over the
/// identities of the image's own camera, and the inter-camera phase one over the pseudo identities' averaged text features.
/// </summary>
public sealed class CcaflObjective : IDisposable
{
    private readonly CcaflOptions _o;
    private readonly int[] _classCamera;
    private readonly Tensor _classCameraTensor;
    private readonly CrossEntropyLabelSmooth _crossEntropy;
    private readonly TripletLoss _triplet;
    private readonly IntraCameraTripletLoss _intraTriplet;
    private readonly CameraAdversarialLoss _adversarial;
    private readonly ImageToTextCrossEntropy _imageToText;
    private readonly int _slots;
    private IdentityCentroidMemory? _intraMemory;
    private IdentityCentroidMemory? _interMemory;
    private Tensor? _clusterOfClass;
    private Tensor? _classText;
    private Tensor? _textClassCamera;
    private Tensor? _clusterText;

    /// <param name="options">CCAFL settings.</param>
    /// <param name="cameraOfIdentity">Camera index of each intra-camera identity (the training label).</param>
    /// <param name="imagesPerIdentity">K of the PK batches (instance slots when <see cref="CcaflOptions.MemorySlots"/> is 0).</param>
    public CcaflObjective(CcaflOptions options, IReadOnlyList<int> cameraOfIdentity, int imagesPerIdentity, double tripletMargin = 0.3, double labelSmoothing = 0.1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cameraOfIdentity);
        options.Validate();
        _o = options;
        _classCamera = [.. cameraOfIdentity];
        _classCameraTensor = tensor(_classCamera.Select(c => (long)c).ToArray()).DetachFromDisposeScope();
        _crossEntropy = new CrossEntropyLabelSmooth(labelSmoothing);
        _triplet = new TripletLoss(tripletMargin);
        _intraTriplet = new IntraCameraTripletLoss(tripletMargin);
        _adversarial = new CameraAdversarialLoss(options.ClassifierScale, options.AdversarialEpsilon, options.AdversarialMargin, options.AdversarialTau);
        _imageToText = new ImageToTextCrossEntropy(options.I2tTemperature);
        _slots = options.MemorySlots > 0 ? options.MemorySlots : Math.Max(1, imagesPerIdentity);
    }

    /// <summary>Number of intra-camera identities.</summary>
    public int Identities => _classCamera.Length;

    /// <summary>The last association (null before the first, or with association off).</summary>
    public CrossCameraAssociationResult? Association { get; private set; }

    /// <summary>The fixed, normalised text feature of every intra-camera identity [N, D] (null without prompts).</summary>
    public Tensor? ClassText => _classText;

    /// <summary>The normalised mean text feature of each pseudo identity of the last association [C, D] (null without prompts or association).</summary>
    internal Tensor? ClusterText => _clusterText;

    /// <summary>Fixes the text feature of every intra-camera identity [N, D] (a normalised copy is kept; call after stage 1).</summary>
    public void SetClassText(Tensor text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.dim() != 2 || text.shape[0] != Identities)
            throw new ArgumentException($"text features [{string.Join(", ", text.shape)}] must be [{Identities}, D].", nameof(text));
        using (no_grad())
        {
            _classText?.Dispose();
            _classText = nn.functional.normalize(text.detach(), p: 2, dim: 1).clone().DetachFromDisposeScope();
            // The camera of each class next to the text (and the batch's labels), whatever device the run uses.
            _textClassCamera?.Dispose();
            _textClassCamera = _classCameraTensor.to(_classText.device).clone().DetachFromDisposeScope();
        }
        UpdateClusterText();
    }

    /// <summary>What <paramref name="epoch"/> (1-based) optimises.</summary>
    public CcaflPhase PhaseOf(int epoch) =>
        !_o.Icdl && !(_o.Association && epoch > _o.IntraEpochs) ? CcaflPhase.Baseline
        : _o.Association && epoch > _o.IntraEpochs ? CcaflPhase.InterCamera
        : CcaflPhase.IntraCamera;

    /// <summary>Whether ICAL is active in <paramref name="epoch"/>.</summary>
    public bool AdversarialIn(int epoch) =>
        _o.Adversarial && PhaseOf(epoch) == CcaflPhase.InterCamera && epoch >= _o.AdversarialStart && epoch < _o.AdversarialEnd;

    /// <summary>
    /// Start-of-epoch work: mean feature per intra-camera identity, cross-camera association (when on), and fresh
    /// memories for the epoch's phase. <paramref name="features"/> are the L2-normalised embeddings [M, dim] of the
    /// training images in order; <paramref name="labels"/> their intra-camera identities.
    /// </summary>
    public CrossCameraAssociationResult? PrepareEpoch(int epoch, float[] features, int dim, IReadOnlyList<int> labels, Random rng)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Length != labels.Count * dim)
            throw new ArgumentException($"Got {features.Length} feature values for {labels.Count} images of dimension {dim}.", nameof(features));
        var phase = PhaseOf(epoch);
        if (_o.Association)
        {
            Association = CrossCameraAssociation.Associate(MeanPerIdentity(features, dim, labels, Identities), _classCamera, _o.AssociationRate);
            _clusterOfClass?.Dispose();
            _clusterOfClass = tensor(Association.ClusterOfIdentity.Select(c => (long)c).ToArray()).DetachFromDisposeScope();
            UpdateClusterText();
        }
        _intraMemory?.Dispose();
        _intraMemory = null;
        _interMemory?.Dispose();
        _interMemory = null;
        if (phase == CcaflPhase.IntraCamera)
            _intraMemory = IdentityCentroidMemory.FromFeatures(features, dim, labels, Identities, _slots, rng, _classCamera, _o.MemoryTemperature, _o.MemoryMomentum);
        else if (phase == CcaflPhase.InterCamera && Association!.Clusters > 0)
        {
            var pseudo = labels.Select(l => Association.ClusterOfIdentity[l]).ToArray();
            _interMemory = IdentityCentroidMemory.FromFeatures(features, dim, pseudo, Association.Clusters, 1, rng, null, _o.MemoryTemperature, _o.MemoryMomentum, updateWithHardest: true);
        }
        return Association;
    }

    /// <summary>The epoch's loss on a batch (and the memory updates it implies); <c>Correct</c> counts right identity predictions.</summary>
    /// <param name="labels">[B] int64 intra-camera identities.</param>
    public (Tensor Total, Dictionary<string, double> Terms, long Correct) Loss(CcaflNetwork network, Tensor images, Tensor labels, int epoch)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var scope = NewDisposeScope();
        var terms = new Dictionary<string, double>();
        using var encoded = network.Encode(images, out var projected);
        var phase = PhaseOf(epoch);
        Tensor total;
        long correct;
        if (phase == CcaflPhase.Baseline)
        {
            var ce = _crossEntropy.Forward(encoded.Logits!, labels);
            var triplet = _triplet.Forward(encoded.BeforeBn, labels);
            terms["ce"] = ce.item<float>();
            terms["triplet"] = triplet.item<float>();
            total = ce.Add(triplet);
            correct = encoded.Logits!.argmax(1).eq(labels).sum().item<long>();
        }
        else
        {
            total = IntraOrInter(phase, encoded.AfterBn, encoded.BeforeBn, projected, labels, terms);
            // The identity classifier learns to tell intra-camera identities apart on detached features: it is the
            // discriminator ICAL plays against, and its accuracy is what the progress line reports.
            // Margin 0: the plain scaled cosine (no labels), which also keeps ArcFace's sqrt(1 − cos²) out of the graph.
            var logits = network.IdentityClassifier.forward(encoded.AfterBn.detach(), null);
            var identity = nn.functional.cross_entropy(logits, labels);
            terms["identity"] = identity.item<float>();
            total = total.Add(identity);
            correct = logits.argmax(1).eq(labels).sum().item<long>();
            if (AdversarialIn(epoch))
            {
                var adversarial = Adversarial(network, encoded.AfterBn, labels);
                if (adversarial is not null)
                {
                    terms["adversarial"] = adversarial.item<float>();
                    total = total.Add(adversarial.Mul(_o.AdversarialWeight));
                }
            }
        }
        return (total.MoveToOuterDisposeScope(), terms, correct);
    }

    private Tensor IntraOrInter(CcaflPhase phase, Tensor features, Tensor beforeBn, Tensor projected, Tensor labels, Dictionary<string, double> terms)
    {
        if (phase == CcaflPhase.IntraCamera)
        {
            var memory = _intraMemory ?? throw new InvalidOperationException("PrepareEpoch must run before the first batch of an epoch.");
            var (centroid, instance) = memory.Losses(features, labels);
            var triplet = _intraTriplet.Forward(beforeBn, labels, _classCameraTensor.index_select(0, labels));
            terms["centroid"] = centroid.item<float>();
            terms["hard-instance"] = instance.item<float>();
            terms["triplet"] = triplet.item<float>();
            memory.Update(features, labels);
            var intra = centroid.Mul(_o.CentroidWeight).Add(instance.Mul(1 - _o.CentroidWeight)).Add(triplet);
            if (_classText is not null && _o.I2tWeight != 0)
            {
                var i2t = _imageToText.Forward(projected, _classText, labels, _textClassCamera);
                terms["i2t"] = i2t.item<float>();
                intra = intra.Add(i2t.Mul(_o.I2tWeight));
            }
            return intra;
        }

        var pseudo = _clusterOfClass!.index_select(0, labels);
        var keep = pseudo.Ge(0).nonzero().squeeze(1);
        if (_interMemory is null || keep.shape[0] < 2) return zeros(1, requires_grad: false).sum().Add(features.sum().Mul(0));
        var kept = features.index_select(0, keep);
        var keptLabels = pseudo.index_select(0, keep);
        var (inter, unused) = _interMemory.Losses(kept, keptLabels);
        unused.Dispose();
        terms["memory"] = inter.item<float>();
        var total = inter;
        if (_clusterText is not null && _o.InterI2tWeight != 0)
        {
            var i2t = _imageToText.Forward(projected.index_select(0, keep), _clusterText, keptLabels, null);
            terms["i2t"] = i2t.item<float>();
            total = total.Add(i2t.Mul(_o.InterI2tWeight));
        }
        if (keptLabels.unique().Item1.shape[0] >= 2)
        {
            var triplet = _triplet.Forward(beforeBn.index_select(0, keep), keptLabels);
            terms["triplet"] = triplet.item<float>();
            total = total.Add(triplet);
        }
        _interMemory.Update(kept, keptLabels);
        return total;
    }

    private Tensor? Adversarial(CcaflNetwork network, Tensor features, Tensor labels)
    {
        var pseudo = _clusterOfClass!.index_select(0, labels);
        var keep = pseudo.Ge(0).nonzero().squeeze(1);
        if (keep.shape[0] == 0) return null;
        var x = features.index_select(0, keep);
        var y = labels.index_select(0, keep);
        var p = pseudo.index_select(0, keep);
        // The encoder plays against the classifier: the classifier's weights are constants here.
        var weight = nn.functional.normalize(network.IdentityClassifier.Weight.detach(), p: 2, dim: 1);
        var cosine = nn.functional.normalize(x, p: 2, dim: 1).matmul(weight.t());
        var associates = p.unsqueeze(1).eq(_clusterOfClass.unsqueeze(0));
        var sameCamera = _classCameraTensor.index_select(0, y).unsqueeze(1).eq(_classCameraTensor.unsqueeze(0));
        return _adversarial.Forward(cosine, y, associates, sameCamera);
    }

    /// <summary>Each pseudo identity's text feature: the normalised mean of its members' normalised text features.</summary>
    private void UpdateClusterText()
    {
        _clusterText?.Dispose();
        _clusterText = null;
        if (_classText is null || Association is not { Clusters: > 0 } association) return;
        int n = Identities, clusters = association.Clusters;
        var membership = new float[clusters * n];
        for (int i = 0; i < n; i++)
            if (association.ClusterOfIdentity[i] >= 0) membership[association.ClusterOfIdentity[i] * n + i] = 1;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var m = tensor(membership, [clusters, n]).to(_classText.device);
        _clusterText = nn.functional.normalize(m.matmul(_classText), p: 2, dim: 1).DetachFromDisposeScope();
    }

    /// <summary>Mean of the (normalised) features of each identity, [N, dim] row-major.</summary>
    internal static float[] MeanPerIdentity(float[] features, int dim, IReadOnlyList<int> labels, int identities)
    {
        var sums = new float[identities * dim];
        var counts = new int[identities];
        for (int i = 0; i < labels.Count; i++)
        {
            var row = sums.AsSpan(labels[i] * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(row, features.AsSpan(i * dim, dim), row);
            counts[labels[i]]++;
        }
        for (int c = 0; c < identities; c++)
        {
            if (counts[c] == 0) throw new ArgumentException($"intra-camera identity {c} has no image", nameof(labels));
            var row = sums.AsSpan(c * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, counts[c], row);
        }
        return sums;
    }

    public void Dispose()
    {
        _intraMemory?.Dispose();
        _interMemory?.Dispose();
        _clusterOfClass?.Dispose();
        _classText?.Dispose();
        _textClassCamera?.Dispose();
        _clusterText?.Dispose();
        _classCameraTensor.Dispose();
    }
}
