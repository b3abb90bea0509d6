using ReId.MLNet.Data.Datasets;
using ReId.Training.Recipes;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// CSGN (Lu et al., CVIU 2025), clothes-changing person ReID, built from its abstract: RGB and grey prompt banks (MDG),
/// a CLIP ModifiedResNet and a CLIP ViT combined (VSS), and image features constrained by both banks' text (HSF).
/// </summary>
public sealed class CsgnMethod : ITrainingMethod
{
    public string Name => "csgn";

    public string Description => "CSGN (Lu et al. 2025, from its abstract): RGB + grey prompt banks, CLIP RN50 + ViT combined, CE-LS + triplet + image-to-text CE against both banks.";

    public IReadOnlyList<TrainingRecipe> Recipes { get; } =
    [
        new("csgn", "CSGN (Lu et al. 2025) for clothes-changing person ReID: CLIP ViT-B/16 with its text tower (--set pretrained-weights=…, " +
                    "--set clip-vocabulary-file=…) and CLIP RN50 (--set csgn.resnet-weights=…, last stride 1) side by side at 256×128; stage 1 learns " +
                    "4 prompt tokens per identity for RGB images and for their grey copies (120 epochs each, Adam 3.5e-4); stage 2 (60 epochs, Adam 5e-6, cosine, " +
                    "10 warm-up epochs, P=16 × K=4) trains both encoders, the fusion (concat) and three BNNecks with CE-LS + triplet on each feature + " +
                    "image-to-text CE of the fused feature against both banks. Options under csgn.* (see docs/methods/csgn.md).", Csgn),
        new("csgn-small", "CPU-sized CSGN from random weights: a small CLIP ModifiedResNet (width 16, one block per stage) and ViT (width 64, 2 layers, " +
                          "8-pixel patches) and a small text encoder (width 64, 1 layer) at 64×32, 20 prompt-learning epochs per bank (Adam 1e-3) and 60 fine-tuning epochs " +
                          "(Adam 1e-3, cosine, 5 warm-up, P=8 × K=4), one libtorch thread.", CsgnSmall),
    ];

    public MethodOptions? CreateSection() => new CsgnOptions();

    public void Validate(TrainingOptions options, ReIdDataset dataset)
    {
        var s = options.SectionAs<CsgnOptions>();
        s.Validate();
        if (options.RequirePretrainedWeights && (options.PretrainedWeights is null || s.ResNetWeights is null || options.ClipVocabularyFile is null))
        {
            var missing = new List<string>();
            if (options.PretrainedWeights is null) missing.Add("pretrained-weights (CLIP ViT-B/16 with its text tower)");
            if (s.ResNetWeights is null) missing.Add("csgn.resnet-weights (CLIP RN50)");
            if (options.ClipVocabularyFile is null) missing.Add("clip-vocabulary-file (bpe_simple_vocab_16e6.txt.gz or vocab.json)");
            throw new ArgumentException($"recipe '{options.Recipe}' starts from CLIP weights; missing: {string.Join("; ", missing)}. " +
                "Give them with --set KEY=FILE; csgn-small trains from random weights");
        }
        if ((options.PretrainedWeights is null) != (s.ResNetWeights is null))
            throw new ArgumentException("CSGN loads both CLIP encoders or neither: give pretrained-weights (ViT-B/16) and csgn.resnet-weights (RN50) together");
        if (options.CenterLossWeight != 0) throw new ArgumentException("center-loss-weight: center loss is trained with the bot method only");
        if (options.CameraEmbedding) throw new ArgumentException("camera-embedding (SIE) is not supported by CSGN: the exported model takes images only; set camera-embedding=false");
        if (s.Prompts && options.Stage1Epochs < 1) throw new ArgumentException($"stage1-epochs is {options.Stage1Epochs}; expected at least 1 (prompt learning), or csgn.prompts=false");
        Models.Heads.NeckFeatureNames.Parse(options.InferenceFeature);
    }

    public MethodSession CreateSession(MethodContext context) => new CsgnSession(context);

    private static TrainingOptions Csgn() => new()
    {
        Backbone = "csgn", VitWidth = 768, VitLayers = 12, VitPatch = 16, VitStride = 16, EmbeddingDim = 512, LastStrideOne = true,
        CameraEmbedding = false, InputHeight = 256, InputWidth = 128, IdentitiesPerBatch = 16, ImagesPerIdentity = 4,
        Optimizer = "adam", LearningRate = 5e-6, WeightDecay = 1e-4, BackboneLearningRateFactor = 1, Scheduler = "cosine",
        WarmupEpochs = 10, WarmupFactor = 0.1, Epochs = 60, Stage1Epochs = 120, Stage1LearningRate = 3.5e-4, PromptTokens = 4,
        LabelSmoothing = 0.1f, TripletMargin = 0.3f, RandomErasingProbability = 0.5f, Normalization = "clip", EvaluateEvery = 10,
        InferenceFeature = "before-bn", CheckpointEvery = 10, RequirePretrainedWeights = true,
    };

    private static TrainingOptions CsgnSmall()
    {
        var o = Csgn();
        o.ResNetWidth = 16; o.ResNetLayers = [1, 1, 1, 1]; o.VitWidth = 64; o.VitLayers = 2; o.VitPatch = 8; o.VitStride = 8; o.EmbeddingDim = 64;
        o.InputHeight = 64; o.InputWidth = 32; o.TextWidth = 64; o.TextLayers = 1; o.TextContextLength = 16; o.TextVocabSize = 1000;
        o.IdentitiesPerBatch = 8; o.ImagesPerIdentity = 4; o.Stage1Epochs = 20; o.Stage1LearningRate = 1e-3; o.WarmupEpochs = 5;
        // 60 epochs: at 16 the full method beat its untrained network under cc-only only narrowly (5.6 vs 4.8 mAP); at 60 it
        // reached 6.7–7.6 (docs/methods/csgn.md). These networks train at > 100 images/s here, so 60 epochs take minutes.
        o.Epochs = 60;
        o.LearningRate = 1e-3; o.EvaluateEvery = 10; o.CheckpointEvery = 10; o.Padding = 4; o.RequirePretrainedWeights = false;
        // One libtorch thread: these networks are too small to gain from intra-op threads, and on a shared, loaded 2-core
        // machine the default two threads ran stage 2 at 3 images/s against 50 with one (measured; docs/methods/csgn.md).
        o.Threads = 1;
        return o;
    }
}
