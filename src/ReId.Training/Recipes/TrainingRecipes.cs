namespace ReId.Training.Recipes;

/// <summary>Named, documented starting configurations: <c>bot</c>, <c>bot-small</c>, <c>clip-reid</c>, <c>clip-reid-small</c>.</summary>
public static class TrainingRecipes
{
    private static readonly Dictionary<string, (string Description, Func<TrainingOptions> Create)> All = new(StringComparer.Ordinal)
    {
        ["bot"] = ("Bag of tricks (Luo et al. 2019): ResNet-50-IBN-a, last stride 1, BNNeck, CE with label smoothing + batch-hard triplet, " +
                   "Adam 3.5e-4 with 10 warm-up epochs and steps at 40/70, random erasing, 256×128, P=16 × K=4, 120 epochs.", Bot),
        ["bot-small"] = ("CPU-sized bag of tricks for tests and the quick start: ResNet-18, 128×64, P=8 × K=4, Adam 1e-3, 16 epochs with a 2-epoch warm-up and a step at 12.", BotSmall),
        ["clip-reid"] = ("CLIP-ReID (Li et al. 2023): CLIP ViT-B/16 (give the CLIP weights with --set pretrained-weights=… and the BPE vocabulary with " +
                         "--set clip-vocabulary-file=…), stage 1 learns 4 prompt tokens per identity with image↔text contrast (120 epochs, Adam 3.5e-4), " +
                         "stage 2 fine-tunes the image encoder with CE-LS + triplet on the class token and its projection + image-to-text CE (60 epochs, Adam 5e-6). " +
                         "SIE camera embeddings are off: the exported model takes images only. --set backbone=clip-rn50 runs it on CLIP's ModifiedResNet " +
                         "(last stride 1) with pretrained RN50 weights.", ClipReId),
        ["clip-reid-small"] = ("CPU-sized CLIP-ReID from random weights: a small CLIP ViT (width 128, 4 layers, 8-pixel patches) and text encoder (width 128, 2 layers) " +
                               "at 128×64, 10 prompt-learning epochs and 40 fine-tuning epochs (Adam 5e-4, cosine).", ClipReIdSmall),
    };

    /// <summary>Recipe names in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["bot", "bot-small", "clip-reid", "clip-reid-small"];

    /// <summary>What a recipe does, in one paragraph.</summary>
    public static string Describe(string name) => Lookup(name).Description;

    /// <summary>A fresh copy of the recipe's options.</summary>
    public static TrainingOptions Get(string name)
    {
        var options = Lookup(name).Create();
        options.Recipe = name;
        return options;
    }

    private static (string Description, Func<TrainingOptions> Create) Lookup(string name) =>
        All.TryGetValue(name ?? "", out var r) ? r
            : throw new ArgumentException($"unknown recipe '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name));

    private static TrainingOptions Bot() => new()
    {
        Method = "bot", Backbone = "resnet50-ibn", LastStrideOne = true, InputHeight = 256, InputWidth = 128,
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

    private static TrainingOptions ClipReId() => new()
    {
        Method = "clip-reid", Backbone = "clip-vit", VitWidth = 768, VitLayers = 12, VitPatch = 16, VitStride = 16, EmbeddingDim = 512,
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
