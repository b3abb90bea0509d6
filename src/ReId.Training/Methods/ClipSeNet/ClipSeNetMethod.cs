using ReId.MLNet.Data.Datasets;
using ReId.Training.Models.Backbones;
using ReId.Training.Recipes;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>CLIP-SENet (Lu et al. 2025, vehicle ReID): IBN ResNet appearance + frozen CLIP image encoder (SEM) refined by AFEM, fused on one BNNeck.</summary>
public sealed class ClipSeNetMethod : ITrainingMethod
{
    public string Name => "clip-senet";

    public string Description => "CLIP-SENet (Lu et al. 2025): IBN ResNet appearance features fused with a frozen CLIP image encoder's semantics refined by AFEM (G groups), camera embeddings, CE-LS + SupCon.";

    public IReadOnlyList<TrainingRecipe> Recipes { get; } =
    [
        new("clip-senet", "CLIP-SENet on VeRi-776 as the paper trains it: ResNeXt-101-IBN-a appearance branch (last stride 1, GeM, camera embeddings), " +
                          "SEM = a frozen CLIP image encoder (TinyCLIP in the paper; give it with --set senet.clip-weights=FILE.safetensors, required; " +
                          "ImageNet IBN weights for the appearance branch with --set pretrained-weights=FILE), AFEM with G = 32 groups, concatenation + BNNeck, " +
                          "CE-LS + SupCon (τ 0.07), 320×320, Adam 5e-4 cosine, 24 epochs, P=16 × K=8.", ClipSeNet),
        new("clip-senet-small", "CPU-sized CLIP-SENet from random weights: ResNet-18-IBN-a appearance branch and a small random CLIP ViT SEM " +
                                "(width 128, 2 layers, 16-pixel patches, 128-d embedding) at 128×128, AFEM G = 32, P=8 × K=4, Adam 1e-3 cosine, 12 epochs. " +
                                "Camera embeddings off (--set camera-embedding=true turns them on; the package then takes each image's camera).", ClipSeNetSmall),
    ];

    public MethodOptions? CreateSection() => new ClipSeNetOptions();

    public void Validate(TrainingOptions options, ReIdDataset dataset)
    {
        options.SectionAs<ClipSeNetOptions>().Validate();
        if (!ResNet.Names.Contains(options.Backbone.ToLowerInvariant()))
            throw new ArgumentException($"backbone '{options.Backbone}': CLIP-SENet's appearance branch is a ResNet ({string.Join(", ", ResNet.Names)})");
        if (options.CenterLossWeight != 0) throw new ArgumentException("center-loss-weight: center loss is trained with the bot method only");
        Models.Heads.NeckFeatureNames.Parse(options.InferenceFeature);
        BagOfTricks.BagOfTricksSession.ParsePooling(options.Pooling);
    }

    public MethodSession CreateSession(MethodContext context) => new ClipSeNetSession(context);

    private static TrainingOptions ClipSeNet() => new()
    {
        Backbone = "resnext101-ibn", LastStrideOne = true, Pooling = "gem", InputHeight = 320, InputWidth = 320,
        IdentitiesPerBatch = 16, ImagesPerIdentity = 8, Optimizer = "adam", LearningRate = 5e-4, WeightDecay = 5e-4, BackboneLearningRateFactor = 1,
        Scheduler = "cosine", WarmupEpochs = 2, WarmupFactor = 0.1, Epochs = 24, LabelSmoothing = 0.1f, RandomErasingProbability = 0.5f,
        Normalization = "imagenet", CameraEmbedding = true, InferenceFeature = "after-bn", EvaluateEvery = 4, CheckpointEvery = 4,
        VitWidth = 256, VitLayers = 10, VitPatch = 16, VitStride = 16, EmbeddingDim = 512,
        Section = new ClipSeNetOptions { RequireClipWeights = true },
    };

    private static TrainingOptions ClipSeNetSmall()
    {
        var o = ClipSeNet();
        o.Backbone = "resnet18-ibn"; o.InputHeight = 128; o.InputWidth = 128; o.IdentitiesPerBatch = 8; o.ImagesPerIdentity = 4;
        o.LearningRate = 1e-3; o.Epochs = 12; o.WarmupEpochs = 1; o.EvaluateEvery = 4; o.CheckpointEvery = 4; o.CameraEmbedding = false;
        o.VitWidth = 128; o.VitLayers = 2; o.VitPatch = 16; o.VitStride = 16; o.EmbeddingDim = 128;
        o.Section = new ClipSeNetOptions();
        return o;
    }
}
