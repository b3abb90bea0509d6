using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Optim;
using ReId.Training.Weights;
using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Methods.BagOfTricks;

/// <summary>
/// A bag-of-tricks run: backbone → pooling (avg = GeM with p fixed at 1, gem = learnt p) → BNNeck, the CE-LS + triplet
/// (+ center) objective, and the class centres moved by their own plain SGD with the gradient divided by the center-loss
/// weight, as in the paper's code (the centres live in the model, so checkpoints and resume carry them).
/// </summary>
public sealed class BagOfTricksSession : MethodSession
{
    private readonly BagOfTricksModel _model;
    private readonly ReIdLoss _criterion;
    private readonly optim.Optimizer? _centerOptimizer;

    public BagOfTricksSession(MethodContext context) : base(context)
    {
        _model = CreateModel(context);
        var o = context.Options;
        if (o.PretrainedWeights is { } path && context.Architecture is null) LoadPretrained(_model, path);
        _model.to(context.Device);
        _criterion = new ReIdLoss(new ReIdLossOptions
        {
            CrossEntropyWeight = o.CrossEntropyWeight, LabelSmoothing = o.LabelSmoothing, TripletWeight = o.TripletWeight,
            TripletMargin = o.TripletMargin, SoftMarginTriplet = o.SoftMarginTriplet, SupConWeight = o.SupConWeight,
            CenterWeight = o.CenterLossWeight,
        }, _model.Center);
        if (_model.Center is { } centers) _centerOptimizer = new ScalarSafeSgd(centers.parameters(), o.CenterLearningRate);
    }

    public override nn.Module<Tensor, Tensor> Network => _model;

    public override IEnumerable<(string Name, Parameter Parameter)> OptimizedParameters =>
        _model.named_parameters().Where(p => !p.name.StartsWith("center.", StringComparison.Ordinal));

    public override IReadOnlyList<string> BackbonePrefixes => ["backbone."];

    public override StepResult Loss(TrainingBatch batch)
    {
        var loss = _model.Loss(batch.Images, batch.Labels, _criterion, out long correct);
        return new StepResult(loss, correct);
    }

    public override void AfterZeroGrad() => _centerOptimizer?.zero_grad();

    public override void AfterStep()
    {
        if (_centerOptimizer is null) return;
        using (torch.no_grad()) _model.Center!.Centers.grad!.MulInPlace(1.0 / Context.Options.CenterLossWeight);
        _centerOptimizer.step();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _centerOptimizer?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The network the settings describe.</summary>
    private static BagOfTricksModel CreateModel(MethodContext context)
    {
        var o = context.Options;
        var (p, learn) = ParsePooling(o.Pooling);
        return new BagOfTricksModel(ResNet.Create(o.Backbone, o.LastStrideOne), context.Classes, p, learn, NeckFeatureNames.Parse(o.InferenceFeature), withCenters: o.CenterLossWeight > 0);
    }

    internal static (float P, bool Learn) ParsePooling(string value) => value.ToLowerInvariant() switch
    {
        "avg" => (1f, false),
        "gem" => (3f, true),
        var other => throw new ArgumentException($"pooling '{other}': expected avg or gem"),
    };

    private static void LoadPretrained(nn.Module model, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pretrained-weights file '{path}' does not exist", path);
        var tensors = SafetensorsFile.Read(path).Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try { StateDictIO.Load(model, tensors, path); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
