using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.IntraCamera;
using ReId.Training.Recipes;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL (Tan, Gong, Xiang, IEEE TCSVT 2024): intra-camera supervised person ReID with a CLIP image encoder — ICDL inside
/// each camera, cross-camera association of intra-camera identities every epoch, and ICAL making features camera-agnostic.
/// </summary>
public sealed class CcaflMethod : ITrainingMethod
{
    public string Name => "ccafl";

    public string Description => "CCAFL (Tan et al. 2024): intra-camera supervised ReID on a CLIP encoder — per-camera centroid memory with hard instances, " +
                                 "cross-camera association each epoch, inter-camera adversarial learning.";

    public IReadOnlyList<TrainingRecipe> Recipes { get; } =
    [
        new("ccafl", "CCAFL (Tan et al. 2024) on intra-camera labels (--supervision intra-camera): CLIP RN50 from CLIP's weights (--set pretrained-weights=RN50.safetensors; " +
                     "refuses to start without), last stride 1, 256×128, P=16 × K=8, Adam 3.5e-4 with a 5-epoch warm-up and cosine decay, 60 epochs: " +
                     "ICDL for 20 epochs, then association (rate 1.7) with inter-camera learning, ICAL in epochs 41–50. Stage 1 learns one prompt per " +
                     "intra-camera identity inside each camera (120 epochs, Adam 3.5e-4; CLIP's text tower from the same file, the BPE vocabulary with " +
                     "--set clip-vocabulary-file=…), whose text features then add image-to-text terms (ccafl.prompts=false: none).", Full),
        new("ccafl-small", "CPU-sized CCAFL from random weights: a CLIP ModifiedResNet with one block per stage and width 16 at 128×64, P=16 × K=4, " +
                           "Adam 1e-3, 12 epochs (ICDL for 6, association after, ICAL in epochs 8–12), after 20 prompt-learning epochs on a small random text encoder (width 64, 1 layer).", Small),
    ];

    public MethodOptions? CreateSection() => new CcaflOptions();

    public void Validate(TrainingOptions options, ReIdDataset dataset)
    {
        if (options.RequirePretrainedWeights && options.PretrainedWeights is null)
            throw new ArgumentException($"recipe '{options.Recipe}' starts from CLIP's RN50 weights: give them with --set pretrained-weights=FILE.safetensors; ccafl-small trains from random weights");
        if (!string.Equals(options.Supervision, IntraCameraSupervision.Name, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"supervision is '{options.Supervision}'; CCAFL learns from intra-camera labels: use --supervision {IntraCameraSupervision.Name}");
        if (options.Backbone.ToLowerInvariant() is not ("clip-rn50" or "clip-vit"))
            throw new ArgumentException($"backbone '{options.Backbone}': CCAFL takes clip-rn50 or clip-vit");
        if (options.CenterLossWeight != 0) throw new ArgumentException("center-loss-weight: center loss is trained with the bot method only");
        var section = options.SectionAs<CcaflOptions>();
        section.Validate();
        if (section.Prompts && options.Stage1Epochs < 1)
            throw new ArgumentException($"stage1-epochs is {options.Stage1Epochs}; expected at least 1 (prompt learning), or ccafl.prompts=false");
        if (section.Prompts && options.PretrainedWeights is not null && options.ClipVocabularyFile is null)
            throw new ArgumentException("clip-vocabulary-file is required with pretrained CLIP weights and ccafl.prompts: the prompt must be tokenised with CLIP's BPE " +
                "(bpe_simple_vocab_16e6.txt.gz or vocab.json + merges.txt); or --set ccafl.prompts=false");
    }

    public MethodSession CreateSession(MethodContext context) => new CcaflSession(context);

    private static TrainingOptions Full() => new()
    {
        Backbone = "clip-rn50", LastStrideOne = true, RequirePretrainedWeights = true, Supervision = IntraCameraSupervision.Name,
        InputHeight = 256, InputWidth = 128, IdentitiesPerBatch = 16, ImagesPerIdentity = 8, Optimizer = "adam", LearningRate = 3.5e-4,
        WeightDecay = 5e-4, BiasLearningRateFactor = 1, Scheduler = "cosine", WarmupEpochs = 5, WarmupFactor = 0.1, Epochs = 60,
        TripletMargin = 0.3f, LabelSmoothing = 0.1f, RandomErasingProbability = 0.5f, Normalization = "imagenet", EvaluateEvery = 10, CheckpointEvery = 10,
        Stage1Epochs = 120, Stage1LearningRate = 3.5e-4, PromptTokens = 4,
        Section = new CcaflOptions { IntraEpochs = 20, AdversarialStart = 41, AdversarialEnd = 51, AssociationRate = 1.7, AdversarialMargin = 0.7 },
    };

    private static TrainingOptions Small()
    {
        var o = Full();
        o.RequirePretrainedWeights = false; o.ResNetWidth = 16; o.ResNetLayers = [1, 1, 1, 1]; o.EmbeddingDim = 128;
        o.InputHeight = 128; o.InputWidth = 64; o.ImagesPerIdentity = 4; o.LearningRate = 1e-3; o.Epochs = 12; o.WarmupEpochs = 1;
        o.EvaluateEvery = 6; o.CheckpointEvery = 6;
        o.TextWidth = 64; o.TextLayers = 1; o.TextContextLength = 16; o.TextVocabSize = 1000; o.Stage1Epochs = 20; o.Stage1LearningRate = 1e-3;
        o.Section = new CcaflOptions { IntraEpochs = 6, AdversarialStart = 8, AdversarialEnd = 13, AssociationRate = 1.7, AdversarialMargin = 0.7 };
        return o;
    }
}
