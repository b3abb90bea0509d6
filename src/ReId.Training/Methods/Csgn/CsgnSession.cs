using ReId.MLNet.Onnx;
using ReId.Training.Augmentation;
using ReId.Training.Losses;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// A CSGN run: stages "prompts-rgb" and "prompts-grey" learn the two banks against frozen ViT projections of the images
/// and of their grey copies; once both are final every identity's text features are fixed, and the main loop trains
/// both encoders, VSS and the three necks with CE-LS + triplet on each feature plus the HSF text terms.
/// </summary>
public sealed class CsgnSession : MethodSession
{
    private readonly CsgnNetwork _network;
    private readonly ReIdLoss _criterion;

    public CsgnSession(MethodContext context) : base(context)
    {
        var o = context.Options;
        _network = CsgnFactory.Create(o, context.Classes, context.Architecture);
        _network.to(context.Device);
        _criterion = new ReIdLoss(new ReIdLossOptions
        {
            CrossEntropyWeight = o.CrossEntropyWeight, LabelSmoothing = o.LabelSmoothing, TripletWeight = o.TripletWeight,
            TripletMargin = o.TripletMargin, SoftMarginTriplet = o.SoftMarginTriplet, SupConWeight = o.SupConWeight,
        });
        var norm = Normalization.FromName(o.Normalization);
        Stages = _network.Mdg is not { } mdg ? [] :
        [
            new PromptLearningStage("prompts-rgb", _network, new CsgnPromptTarget(_network, CsgnPromptBank.Rgb, norm), o, context.Progress),
            .. mdg.HasGreyBank
                ? new[] { new PromptLearningStage("prompts-grey", _network, new CsgnPromptTarget(_network, CsgnPromptBank.Grey, norm), o, context.Progress, seedSalt: 2_000_000) }
                : [],
        ];
    }

    public override nn.Module<Tensor, Tensor> Network => _network;

    /// <summary>The CSGN network.</summary>
    public CsgnNetwork Model => _network;

    public override IReadOnlyList<string> BackbonePrefixes => ["resnet.", "vit."];

    public override IReadOnlyList<TrainingStage> Stages { get; }

    public override string? Architecture => CsgnFactory.Describe(_network);

    public override void OnStagesComplete(StageContext context) => _network.FixClassTextFeatures();

    public override StepResult Loss(TrainingBatch batch)
    {
        var loss = _network.Loss(batch.Images, batch.Labels, _criterion, out long correct);
        return new StepResult(loss, correct);
    }

    public override ModelPackage Export(string directory)
    {
        var o = Context.Options;
        var norm = Normalization.FromName(o.Normalization);
        return ModelPackageExporter.Write(directory, _network, o.InputHeight, o.InputWidth, _network.EmbeddingSize, "csgn", norm.Mean, norm.Std, resize: "bilinear");
    }
}
