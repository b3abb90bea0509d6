using ReId.MLNet.Data.Datasets;
using ReId.Training.Recipes;

namespace ReId.Training.Methods.ClipReId;

/// <summary>CLIP-ReID (Li et al., AAAI 2023): prompt learning against a frozen CLIP, then fine-tuning the image encoder.</summary>
public sealed class ClipReIdMethod : ITrainingMethod
{
    public string Name => "clip-reid";

    public string Description => "CLIP-ReID (Li et al. 2023): per-identity prompt tokens learnt against frozen CLIP features, then image-encoder fine-tuning with CE-LS + triplet + image-to-text CE.";

    public IReadOnlyList<TrainingRecipe> Recipes { get; } =
    [
        new("clip-reid", "CLIP-ReID (Li et al. 2023): CLIP ViT-B/16 (give the CLIP weights with --set pretrained-weights=… and the BPE vocabulary with " +
                         "--set clip-vocabulary-file=…), stage 1 learns 4 prompt tokens per identity with image↔text contrast (120 epochs, Adam 3.5e-4), " +
                         "stage 2 fine-tunes the image encoder with CE-LS + triplet on the class token and its projection + image-to-text CE (60 epochs, Adam 5e-6). " +
                         "SIE camera embeddings are off: the exported model takes images only. --set backbone=clip-rn50 runs it on CLIP's ModifiedResNet " +
                         "(last stride 1) with pretrained RN50 weights.", ClipReId),
        new("clip-reid-small", "CPU-sized CLIP-ReID from random weights: a small CLIP ViT (width 128, 4 layers, 8-pixel patches) and text encoder (width 128, 2 layers) " +
                               "at 128×64, 10 prompt-learning epochs and 40 fine-tuning epochs (Adam 5e-4, cosine).", ClipReIdSmall),
    ];

    public MethodOptions? CreateSection() => null;

    public void Validate(TrainingOptions options, ReIdDataset dataset)
    {
        if (options.RequirePretrainedWeights && options.PretrainedWeights is null)
            throw new ArgumentException($"recipe '{options.Recipe}' starts from pretrained weights: give them with --set pretrained-weights=FILE.safetensors " +
                "(a CLIP file with both towers) and --set clip-vocabulary-file=bpe_simple_vocab_16e6.txt.gz; clip-reid-small trains from random weights");
        if (options.CenterLossWeight != 0) throw new ArgumentException("center-loss-weight: center loss is trained with the bot method only");
        if (options.CameraEmbedding)
            throw new ArgumentException("camera-embedding (SIE) is not supported: the exported model and the ML.NET pipeline take images only; set camera-embedding=false");
        if (options.Stage1Epochs < 1) throw new ArgumentException($"stage1-epochs is {options.Stage1Epochs}; expected at least 1 (prompt learning)");
        if (options.Backbone.ToLowerInvariant() is not ("clip-vit" or "clip-rn50"))
            throw new ArgumentException($"backbone '{options.Backbone}': CLIP-ReID takes clip-vit or clip-rn50");
        Models.Heads.NeckFeatureNames.Parse(options.InferenceFeature);
    }

    public MethodSession CreateSession(MethodContext context) => new ClipReIdSession(context);

    private static TrainingOptions ClipReId() => new()
    {
        Backbone = "clip-vit", VitWidth = 768, VitLayers = 12, VitPatch = 16, VitStride = 16, EmbeddingDim = 512,
        CameraEmbedding = false, InputHeight = 256, InputWidth = 128, IdentitiesPerBatch = 16, ImagesPerIdentity = 4,
        Optimizer = "adam", LearningRate = 5e-6, WeightDecay = 1e-4, BackboneLearningRateFactor = 1, Scheduler = "cosine",
        WarmupEpochs = 10, WarmupFactor = 0.1, Epochs = 60, Stage1Epochs = 120, Stage1LearningRate = 3.5e-4, PromptTokens = 4,
        LabelSmoothing = 0.1f, TripletMargin = 0.3f, RandomErasingProbability = 0.5f, Normalization = "half", EvaluateEvery = 10,
        InferenceFeature = "before-bn", CheckpointEvery = 10, RequirePretrainedWeights = true,
    };

    private static TrainingOptions ClipReIdSmall()
    {
        var o = ClipReId();
        o.VitWidth = 128; o.VitLayers = 4; o.VitPatch = 8; o.VitStride = 8; o.EmbeddingDim = 128; o.InputHeight = 128; o.InputWidth = 64;
        o.TextWidth = 128; o.TextLayers = 2; o.TextContextLength = 16; o.TextVocabSize = 1000;
        o.IdentitiesPerBatch = 8; o.ImagesPerIdentity = 4; o.Stage1Epochs = 10; o.Epochs = 40; o.WarmupEpochs = 2;
        o.LearningRate = 5e-4; o.EvaluateEvery = 10; o.RequirePretrainedWeights = false;
        return o;
    }
}
