using System.Text.Json;
using ReId.Training.Augmentation;
using ReId.Training.Engine;
using ReId.Training.Losses;
using ReId.Training.Methods.ClipReId;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;
using ReId.Training.Sampling;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// A CCAFL run: the network, and the <see cref="CcaflObjective"/> whose per-epoch state (association, memories) the
/// start-of-epoch hook rebuilds from features of the whole training split. Association precision and recall go into the
/// epoch's metrics when the run was given the hidden truth (<see cref="MethodContext.IntraCameraTruth"/>).
/// </summary>
public sealed class CcaflSession : MethodSession
{
    private readonly CcaflNetwork _network;
    private readonly CcaflObjective _objective;
    private readonly CcaflOptions _section;
    private readonly int[] _labels;
    private int _epoch = 1;

    public CcaflSession(MethodContext context) : base(context)
    {
        var o = context.Options;
        _section = o.SectionAs<CcaflOptions>();
        var architecture = context.Architecture is { } json ? CcaflArchitecture.Parse(json) : null;
        _network = CreateNetwork(o, _section, context.Classes, architecture);
        _network.to(context.Device);
        _labels = [.. context.TrainSamples.Select(s => s.Label)];
        var cameraIndex = context.CameraIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var cameraOfIdentity = new int[context.Classes];
        foreach (var s in context.TrainSamples) cameraOfIdentity[s.Label] = cameraIndex[s.Camera];
        _objective = new CcaflObjective(_section, cameraOfIdentity, o.ImagesPerIdentity, o.TripletMargin, o.LabelSmoothing);
        // Stage 1 contrasts inside each camera: a batch holds the images and prompts of one camera's identities only.
        Stages = _network.Prompt is null ? [] :
            [new PromptLearningStage("prompts", _network, new CcaflPromptTarget(_network), o, context.Progress, labelGroups: cameraOfIdentity)];
    }

    public override nn.Module<Tensor, Tensor> Network => _network;

    public override IReadOnlyList<string> BackbonePrefixes => ["visual."];

    /// <summary>The CCAFL network.</summary>
    public CcaflNetwork Model => _network;

    /// <summary>The stage-2 objective (its per-epoch state and the fixed text features).</summary>
    public CcaflObjective Objective => _objective;

    public override IReadOnlyList<TrainingStage> Stages { get; }

    public override string? Architecture => JsonSerializer.Serialize(new CcaflArchitecture
    {
        Vision = (_network.Visual as ClipVisionTransformer)?.Options,
        ResNet = (_network.Visual as ClipModifiedResNet)?.Options,
        Text = _network.Text?.Options,
        PromptIds = _network.Prompt is { } p ? [.. p.TemplateIds] : [],
        PromptPrefixLength = _network.Prompt?.PrefixLength ?? 0,
    });

    /// <summary>Once the prompts are final (or resumed as final), every intra-camera identity's text feature is fixed.</summary>
    public override void OnStagesComplete(StageContext context)
    {
        if (_network.Prompt is null) return;
        using var text = _network.AllTextFeatures();
        _objective.SetClassText(text);
    }

    /// <summary>
    /// Re-extracts the features of every training image with the current network, associates intra-camera identities
    /// across cameras and rebuilds the memories. On a mid-epoch resume the memories are rebuilt from the resumed weights
    /// (their in-epoch momentum updates are not checkpointed), so such a resume is close to, not bit-identical with, an
    /// uninterrupted run.
    /// </summary>
    public override void OnEpochStart(EpochContext context)
    {
        _epoch = context.Epoch;
        var o = Context.Options;
        context.Metrics["ccafl_phase"] = (int)_objective.PhaseOf(context.Epoch);
        // The plain baseline neither associates nor keeps memories: nothing to extract.
        if (!_section.Association && _objective.PhaseOf(context.Epoch) == CcaflPhase.Baseline) return;
        var eval = new AugmentationOptions { Height = o.InputHeight, Width = o.InputWidth, Normalization = o.Normalization };
        var features = o.EvaluateWithOnnxRuntime
            ? FeatureExtractor.EmbedWithOnnxRuntime(_network, _network.EmbeddingSize, Context.TrainSamples, eval, workers: o.Workers, cancellationToken: context.CancellationToken)
            : FeatureExtractor.Embed(_network, Context.TrainSamples, eval, workers: o.Workers, cancellationToken: context.CancellationToken);
        var association = _objective.PrepareEpoch(context.Epoch, features, _network.EmbeddingSize, _labels, DeterministicSeed.Create(o.Seed, 2_000_000, context.Epoch));
        if (association is null) return;
        context.Metrics["association_links"] = association.Links.Count;
        context.Metrics["association_clusters"] = association.Clusters;
        string line = $"epoch {context.Epoch}: {_objective.PhaseOf(context.Epoch)} phase; association: {association.Links.Count} links, {association.Clusters} pseudo identities";
        if (Context.IntraCameraTruth is { } truth)
        {
            var score = truth.Score(association.ClusterOfIdentity, association.Links);
            context.Metrics["association_precision"] = score.Precision;
            context.Metrics["association_recall"] = score.Recall;
            context.Metrics["association_link_precision"] = score.LinkPrecision;
            line += $", pair precision {score.Precision:P1}, recall {score.Recall:P1}";
        }
        Context.Progress.Line(line);
    }

    public override StepResult Loss(TrainingBatch batch)
    {
        var (total, terms, correct) = _objective.Loss(_network, batch.Images, batch.Labels, _epoch);
        return new StepResult(new ReIdLossResult(total, terms), correct);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _objective.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// The network: the image encoder from CLIP's weights or random with the settings' architecture, or exactly the shape a
    /// checkpoint recorded (then no file is read: the weights come from the checkpoint); with prompts the text encoder from
    /// the same CLIP file (random without) and one prompt per intra-camera identity.
    /// </summary>
    private static CcaflNetwork CreateNetwork(Recipes.TrainingOptions o, CcaflOptions s, int classes, CcaflArchitecture? a)
    {
        nn.Module<Tensor, Tensor> visual = a is null ? CreateEncoder(o)
            : a.ResNet is { } r ? new ClipModifiedResNet(r)
            : a.Vision is { } v ? new ClipVisionTransformer(v)
            : throw new InvalidDataException("the recorded CCAFL architecture names no image encoder");
        try
        {
            return new CcaflNetwork(visual, classes, s.ClassifierScale, o.Seed, s.Prompts ? () => CreateTextSide(o, classes, a) : null);
        }
        catch
        {
            visual.Dispose();
            throw;
        }
    }

    private static (ClipTextTransformer, ClipPromptLearner) CreateTextSide(Recipes.TrainingOptions o, int classes, CcaflArchitecture? a)
    {
        ClipTextTransformer text;
        long[] ids;
        int prefix;
        if (a is not null)
        {
            text = new ClipTextTransformer(a.Text ?? throw new InvalidDataException("the recorded CCAFL architecture has no text encoder but ccafl.prompts is true"));
            (ids, prefix) = (a.PromptIds, a.PromptPrefixLength);
        }
        else if (o.PretrainedWeights is { } path)
        {
            LoadReport report;
            (text, report) = ClipTextWeights.Load(path);
            if (report.MissingKeys.Count > 0)
            {
                text.Dispose();
                throw new InvalidDataException($"pretrained-weights '{path}' lacks text-encoder tensors (CCAFL's prompts need the text tower; or ccafl.prompts=false): {string.Join(", ", report.MissingKeys.Take(5))}");
            }
            (ids, prefix) = (null!, 0);
        }
        else
        {
            text = new ClipTextTransformer(new ClipTextOptions
            {
                Width = o.TextWidth, Layers = o.TextLayers, ContextLength = o.TextContextLength, VocabSize = o.TextVocabSize, OutputDim = o.EmbeddingDim,
            });
            (ids, prefix) = (null!, 0);
        }
        try
        {
            if (a is null) (ids, prefix) = ClipReIdFactory.PromptIds(o, text.Options, pretrained: o.PretrainedWeights is not null);
            return (text, new ClipPromptLearner(text, ids, prefix, classes, o.PromptTokens));
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>The CLIP image encoder: read from CLIP's weights, or random with the settings' architecture.</summary>
    private static nn.Module<Tensor, Tensor> CreateEncoder(Recipes.TrainingOptions o)
    {
        bool resnet = o.Backbone.Equals("clip-rn50", StringComparison.OrdinalIgnoreCase);
        if (o.PretrainedWeights is { } path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"pretrained-weights file '{path}' does not exist", path);
            var (visual, report) = resnet
                ? ((nn.Module<Tensor, Tensor>, LoadReport))ClipResNetWeights.Load(path, r => { r.InputHeight = o.InputHeight; r.InputWidth = o.InputWidth; r.LastStride = o.LastStrideOne ? 1 : 2; })
                : ClipVisionWeights.Load(path, v => { v.InputHeight = o.InputHeight; v.InputWidth = o.InputWidth; v.PatchStride = o.VitStride; });
            if (report.MissingKeys.Count > 0)
            {
                visual.Dispose();
                throw new InvalidDataException($"pretrained-weights '{path}' lacks image-encoder tensors: {string.Join(", ", report.MissingKeys.Take(5))}");
            }
            return visual;
        }
        return resnet
            ? new ClipModifiedResNet(new ClipResNetOptions
            {
                Layers = o.ResNetLayers, Width = o.ResNetWidth, InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim, LastStride = o.LastStrideOne ? 1 : 2,
            })
            : new ClipVisionTransformer(new ClipVisionOptions
            {
                Width = o.VitWidth, Layers = o.VitLayers, PatchSize = o.VitPatch, PatchStride = o.VitStride, InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim,
            });
    }
}
