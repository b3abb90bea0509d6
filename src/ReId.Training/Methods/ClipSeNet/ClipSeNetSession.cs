using System.Text.Json;
using ReId.MLNet.Onnx;
using ReId.Training.Augmentation;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>
/// A CLIP-SENet run: one stage (the main loop) training the appearance branch, AFEM, camera embeddings and the fusion neck
/// (SEM too when not frozen) with CE-LS + SupCon. Its export writes the whole package and, under <see cref="PartsFolder"/>,
/// the parts for the ML.NET chain (see <see cref="ClipSeNetExporter"/>).
/// </summary>
public sealed class ClipSeNetSession : MethodSession
{
    /// <summary>Sub-folder of the exported package holding the parts.</summary>
    public const string PartsFolder = "parts";

    private readonly ClipSeNetModel _model;
    private readonly ClipSeNetLoss _loss;
    private readonly bool _cameras;

    public ClipSeNetSession(MethodContext context) : base(context)
    {
        var o = context.Options;
        var s = o.SectionAs<ClipSeNetOptions>();
        var norm = Normalization.FromName(o.Normalization);
        var backbone = ResNet.Create(o.Backbone, o.LastStrideOne);
        nn.Module<Tensor, Tensor>? sem = null;
        try
        {
            if (o.PretrainedWeights is { } path && context.Architecture is null) LoadAppearance(backbone, path);
            sem = s.Sem ? CreateSem(o, s, context.Architecture) : null;
            int semSize = (sem as IClipImageEncoder)?.EmbeddingSize ?? 0;
            var afem = sem is not null && s.ParsedAfemMode is { } mode
                ? new AdaptiveFineGrainedEnhancement(semSize, Groups(s, semSize), mode)
                : null;
            _cameras = o.CameraEmbedding;
            var (p, learnP) = BagOfTricks.BagOfTricksSession.ParsePooling(o.Pooling);
            _model = new ClipSeNetModel(backbone, sem, context.Classes, afem, o.CameraEmbedding ? Math.Max(1, context.CameraIds.Count) : 0,
                s.FreezeSem, p, learnP, NeckFeatureNames.Parse(o.InferenceFeature), norm.Mean, norm.Std);
        }
        catch
        {
            backbone.Dispose();
            sem?.Dispose();
            throw;
        }
        _model.to(context.Device);
        _loss = new ClipSeNetLoss(s.CeWeight, s.SupconWeight, s.Temperature, o.LabelSmoothing, s.SameCameraPositives);
    }

    public override nn.Module<Tensor, Tensor> Network => _model;

    /// <summary>The CLIP-SENet network.</summary>
    public ClipSeNetModel Model => _model;

    public override IReadOnlyList<string> BackbonePrefixes => ["backbone.", "semantic."];

    public override string? Architecture => JsonSerializer.Serialize(new ClipSeNetArchitecture
    {
        Vision = _model.Semantic as ClipVisionTransformer is { } v ? v.Options : null,
        ResNet = _model.Semantic as ClipModifiedResNet is { } r ? r.Options : null,
    });

    public override StepResult Loss(TrainingBatch batch)
    {
        using var output = _model.Apply(batch.Images, _cameras ? batch.Cameras : null);
        var loss = _loss.Compute(output, batch.Labels, batch.Cameras);
        long correct = 0;
        if (output.Logits is { } logits)
        {
            using var hits = logits.argmax(1).eq(batch.Labels).sum();
            correct = hits.item<long>();
        }
        return new StepResult(loss, correct);
    }

    /// <summary>
    /// The whole model and, with SEM, its parts under <see cref="PartsFolder"/>. With camera embeddings both the whole
    /// package and the appearance part take the optional <c>cameras</c> input and record the training camera ids, so
    /// <c>ReIdEmbed</c> with a camera column (and <c>reid eval --model</c>) gives each image its trained camera's embedding.
    /// </summary>
    public override ModelPackage Export(string directory)
    {
        var o = Context.Options;
        var norm = Normalization.FromName(o.Normalization);
        var cameras = _cameras ? Context.CameraIds : null;
        var package = ClipSeNetExporter.WriteWhole(directory, _model, o.InputHeight, o.InputWidth, norm.Mean, norm.Std, "bilinear", cameras);
        if (_model.Semantic is not null)
            ClipSeNetExporter.WriteParts(Path.Combine(directory, PartsFolder), _model, o.InputHeight, o.InputWidth, norm.Mean, norm.Std, "bilinear", cameras);
        return package;
    }

    private static int Groups(ClipSeNetOptions s, int semSize) => semSize % s.Groups == 0
        ? s.Groups
        : throw new ArgumentException($"senet.groups {s.Groups} does not divide SEM's embedding size {semSize}");

    private static nn.Module<Tensor, Tensor> CreateSem(Recipes.TrainingOptions o, ClipSeNetOptions s, string? architecture)
    {
        if (architecture is not null)
        {
            var a = ClipSeNetArchitecture.Parse(architecture);
            return a.ResNet is { } r ? new ClipModifiedResNet(r)
                : a.Vision is { } v ? new ClipVisionTransformer(v)
                : throw new InvalidDataException("the recorded CLIP-SENet architecture names no SEM encoder");
        }
        if (!string.IsNullOrWhiteSpace(s.ClipWeights)) return LoadSem(o, s.ClipWeights);
        return s.ClipKind.ToLowerInvariant() == "rn50"
            ? new ClipModifiedResNet(new ClipResNetOptions
            {
                Layers = o.ResNetLayers, Width = o.ResNetWidth, InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim,
            })
            : new ClipVisionTransformer(new ClipVisionOptions
            {
                Width = o.VitWidth, Layers = o.VitLayers, PatchSize = o.VitPatch, PatchStride = o.VitStride,
                InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputDim = o.EmbeddingDim,
            });
    }

    /// <summary>SEM from a CLIP file (ViT or ModifiedResNet, told apart by tensor names); positional grids resized to the input.</summary>
    private static nn.Module<Tensor, Tensor> LoadSem(Recipes.TrainingOptions o, string path)
    {
        var kind = ClipImageEncoders.Detect(SafetensorsFile.ReadNames(path));
        if (kind == ClipImageEncoderKind.Unknown)
            throw new InvalidDataException($"senet.clip-weights '{path}' holds no CLIP image encoder (neither ViT nor ModifiedResNet tensor names)");
        bool resNet = kind == ClipImageEncoderKind.ModifiedResNet;
        var (sem, report) = resNet
            ? ((nn.Module<Tensor, Tensor>, LoadReport))ClipResNetWeights.Load(path, r => { r.InputHeight = o.InputHeight; r.InputWidth = o.InputWidth; })
            : ClipVisionWeights.Load(path, v => { v.InputHeight = o.InputHeight; v.InputWidth = o.InputWidth; });
        if (report.MissingKeys.Count > 0)
        {
            sem.Dispose();
            throw new InvalidDataException($"senet.clip-weights '{path}' lacks image-encoder tensors: {string.Join(", ", report.MissingKeys.Take(5))}");
        }
        return sem;
    }

    /// <summary>ImageNet weights of the appearance branch (torchvision names; <c>fc.*</c> ignored).</summary>
    private static void LoadAppearance(ResNet backbone, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pretrained-weights file '{path}' does not exist", path);
        var tensors = SafetensorsFile.Read(path, name => name.StartsWith("fc.", StringComparison.Ordinal)).Tensors
            .ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try
        {
            var report = StateDictIO.Load(backbone, tensors, path);
            if (report.MissingKeys.Count > 0)
                throw new InvalidDataException($"pretrained-weights '{path}' is not a complete appearance backbone ({report.MissingKeys.Count} tensors missing, e.g. {string.Join(", ", report.MissingKeys.Take(3))})");
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
