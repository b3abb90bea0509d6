using ReId.Training.Losses;
using ReId.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.ClipReId;

/// <summary>
/// A CLIP-ReID run: stage "prompts" learns the per-identity prompt tokens; once they are final the text feature of every
/// identity is fixed, and the main loop fine-tunes the image side with CE-LS + triplet on both features plus image-to-text CE.
/// </summary>
public sealed class ClipReIdSession : MethodSession
{
    private readonly ClipReIdModel _model;
    private readonly ReIdLoss _criterion;

    public ClipReIdSession(MethodContext context) : base(context)
    {
        var o = context.Options;
        _model = ClipReIdFactory.Create(o, context.Classes, context.Architecture, context.CameraIds.Count);
        _model.to(context.Device);
        _criterion = new ReIdLoss(new ReIdLossOptions
        {
            CrossEntropyWeight = o.CrossEntropyWeight, LabelSmoothing = o.LabelSmoothing, TripletWeight = o.TripletWeight,
            TripletMargin = o.TripletMargin, SoftMarginTriplet = o.SoftMarginTriplet, SupConWeight = o.SupConWeight,
        });
        Stages = [new PromptLearningStage("prompts", _model, _model, o, context.Progress)];
    }

    public override nn.Module<Tensor, Tensor> Network => _model;

    /// <summary>The CLIP-ReID network.</summary>
    public ClipReIdModel Model => _model;

    public override IReadOnlyList<string> BackbonePrefixes => ["visual."];

    public override IReadOnlyList<TrainingStage> Stages { get; }

    public override string? Architecture => ClipReIdFactory.Describe(_model);

    public override void OnStagesComplete(StageContext context) => _model.FixClassTextFeatures(Context.Classes);

    public override StepResult Loss(TrainingBatch batch)
    {
        var loss = _model.Loss(batch.Images, batch.Labels, batch.Cameras, _criterion, out long correct);
        return new StepResult(loss, correct);
    }
}
