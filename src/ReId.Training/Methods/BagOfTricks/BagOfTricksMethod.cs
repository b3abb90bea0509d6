using ReId.MLNet.Data.Datasets;
using ReId.Training.Recipes;

namespace ReId.Training.Methods.BagOfTricks;

/// <summary>The bag-of-tricks baseline (Luo et al. 2019): a CNN with BNNeck, CE-LS + batch-hard triplet (+ optional center loss).</summary>
public sealed class BagOfTricksMethod : ITrainingMethod
{
    public string Name => "bot";

    public string Description => "Bag of tricks (Luo et al. 2019): CNN backbone, BNNeck, label-smoothed CE + batch-hard triplet, optional center loss.";

    public IReadOnlyList<TrainingRecipe> Recipes { get; } =
    [
        new("bot", "Bag of tricks (Luo et al. 2019): ResNet-50-IBN-a, last stride 1, BNNeck, CE with label smoothing + batch-hard triplet, " +
                   "Adam 3.5e-4 with 10 warm-up epochs and steps at 40/70, random erasing, 256×128, P=16 × K=4, 120 epochs.", Bot),
        new("bot-small", "CPU-sized bag of tricks for tests and the quick start: ResNet-18, 128×64, P=8 × K=4, Adam 1e-3, 16 epochs with a 2-epoch warm-up and a step at 12.", BotSmall),
    ];

    public MethodOptions? CreateSection() => null;

    public void Validate(TrainingOptions options, ReIdDataset dataset)
    {
        if (options.RequirePretrainedWeights && options.PretrainedWeights is null)
            throw new ArgumentException($"recipe '{options.Recipe}' starts from pretrained weights: give them with --set pretrained-weights=FILE.safetensors");
        if (options.CenterLossWeight < 0)
            throw new ArgumentException($"center-loss-weight is {options.CenterLossWeight}; expected 0 (off) or a positive weight such as 0.0005");
        Models.Heads.NeckFeatureNames.Parse(options.InferenceFeature);
        BagOfTricksSession.ParsePooling(options.Pooling);
    }

    public MethodSession CreateSession(MethodContext context) => new BagOfTricksSession(context);

    private static TrainingOptions Bot() => new()
    {
        Backbone = "resnet50-ibn", LastStrideOne = true, InputHeight = 256, InputWidth = 128,
        IdentitiesPerBatch = 16, ImagesPerIdentity = 4, Optimizer = "adam", LearningRate = 3.5e-4, WeightDecay = 5e-4,
        Scheduler = "multistep", WarmupEpochs = 10, Milestones = [40, 70], Gamma = 0.1, Epochs = 120,
        LabelSmoothing = 0.1f, TripletMargin = 0.3f, RandomErasingProbability = 0.5f, Normalization = "imagenet", EvaluateEvery = 10,
        CheckpointEvery = 10,
    };

    private static TrainingOptions BotSmall()
    {
        var o = Bot();
        o.Backbone = "resnet18"; o.InputHeight = 128; o.InputWidth = 64; o.IdentitiesPerBatch = 8; o.ImagesPerIdentity = 4;
        o.Epochs = 16; o.WarmupEpochs = 2; o.Milestones = [12]; o.EvaluateEvery = 4; o.CheckpointEvery = 4; o.LearningRate = 1e-3;
        return o;
    }
}
