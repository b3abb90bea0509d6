using System.ComponentModel;
using System.Text.Json.Serialization;
using ReId.Training.Methods;

namespace ReId.Training.Recipes;

/// <summary>
/// Every setting of a training run: what all methods share, plus the running method's own typed <see cref="Section"/>.
/// Recipes are named instances; <c>--set key=value</c> (and <c>--set section.key=value</c>) overrides single fields.
/// </summary>
public sealed class TrainingOptions
{
    [Description("Recipe this run started from (informational)")]
    public string Recipe { get; set; } = "custom";
    [Description("Training method (a registered name: bot, clip-reid, …)")]
    public string Method { get; set; } = "bot";
    [Description("Labels the trainer learns from: full, or intra-camera (identities labelled per camera only; evaluation stays cross-camera)")]
    public string Supervision { get; set; } = "full";
    [Description("Device: cpu, cuda or cuda:N (CUDA needs the CUDA build of TorchSharp)")]
    public string Device { get; set; } = "cpu";

    // Model
    [Description("Backbone: resnet18, resnet34, resnet50, resnet50-ibn, resnet101-ibn, resnext101-ibn, clip-vit, clip-rn50")]
    public string Backbone { get; set; } = "resnet50-ibn";
    [Description("Safetensors file with pretrained backbone weights (ImageNet or CLIP)")]
    public string? PretrainedWeights { get; set; }
    [Description("Refuse to start without pretrained-weights")]
    public bool RequirePretrainedWeights { get; set; }
    [Description("Last stage of a CNN with stride 1 (a larger final feature map)")]
    public bool LastStrideOne { get; set; } = true;
    [Description("Pooling: avg, max or gem")]
    public string Pooling { get; set; } = "avg";
    [Description("Embedding at inference: after-bn (BNNeck output) or before-bn")]
    public string InferenceFeature { get; set; } = "after-bn";
    [Description("Width of a CLIP ViT built from scratch (no pretrained weights)")]
    public int VitWidth { get; set; } = 768;
    [Description("Transformer blocks of a CLIP ViT built from scratch")]
    public int VitLayers { get; set; } = 12;
    [Description("Patch size of a CLIP ViT built from scratch")]
    public int VitPatch { get; set; } = 16;
    [Description("Patch stride of a CLIP ViT (below the patch size: overlapping patches)")]
    public int VitStride { get; set; } = 16;
    [Description("Stem width of a CLIP ModifiedResNet built from scratch")]
    public int ResNetWidth { get; set; } = 64;
    [Description("Blocks per stage of a CLIP ModifiedResNet built from scratch")]
    public int[] ResNetLayers { get; set; } = [3, 4, 6, 3];
    [Description("Projection size of a CLIP encoder built from scratch")]
    public int EmbeddingDim { get; set; } = 512;
    [Description("SIE camera embeddings on the class token (CLIP-ReID)")]
    public bool CameraEmbedding { get; set; }

    // Data
    [Description("Input height in pixels")]
    public int InputHeight { get; set; } = 256;
    [Description("Input width in pixels")]
    public int InputWidth { get; set; } = 128;
    [Description("Identities per batch (P of P×K sampling)")]
    public int IdentitiesPerBatch { get; set; } = 16;
    [Description("Images per identity in a batch (K of P×K sampling)")]
    public int ImagesPerIdentity { get; set; } = 4;
    [Description("Threads that decode and augment images")]
    public int Workers { get; set; } = 2;
    [Description("Batches prepared ahead of the training step")]
    public int Prefetch { get; set; } = 4;
    [Description("Probability of a horizontal flip")]
    public float FlipProbability { get; set; } = 0.5f;
    [Description("Zero padding before the random crop, in pixels")]
    public int Padding { get; set; } = 10;
    [Description("Probability of random erasing")]
    public float RandomErasingProbability { get; set; } = 0.5f;
    [Description("Probability of colour jitter")]
    public float ColorJitterProbability { get; set; }
    [Description("Probability of turning an image grey")]
    public float GrayscaleProbability { get; set; }
    [Description("Normalisation: imagenet, clip or half (mean = std = 0.5)")]
    public string Normalization { get; set; } = "imagenet";

    // Losses
    [Description("Label smoothing of the identity cross-entropy")]
    public float LabelSmoothing { get; set; } = 0.1f;
    [Description("Margin of the batch-hard triplet loss")]
    public float TripletMargin { get; set; } = 0.3f;
    [Description("Soft-margin triplet (log(1 + e^x)) instead of a hinge")]
    public bool SoftMarginTriplet { get; set; }
    [Description("Weight of the identity cross-entropy")]
    public float CrossEntropyWeight { get; set; } = 1f;
    [Description("Weight of the triplet loss")]
    public float TripletWeight { get; set; } = 1f;
    [Description("Weight of the center loss (0 = off; bot only)")]
    public float CenterLossWeight { get; set; }
    [Description("Learning rate of the plain SGD that moves the class centres (bag of tricks: 0.5)")]
    public double CenterLearningRate { get; set; } = 0.5;
    [Description("Weight of the supervised contrastive loss (0 = off)")]
    public float SupConWeight { get; set; }

    // Optimisation
    [Description("Optimiser: adam, adamw or sgd")]
    public string Optimizer { get; set; } = "adam";
    [Description("Base learning rate")]
    public double LearningRate { get; set; } = 3.5e-4;
    [Description("Weight decay")]
    public double WeightDecay { get; set; } = 5e-4;
    [Description("Learning-rate multiplier of biases")]
    public double BiasLearningRateFactor { get; set; } = 2;
    [Description("SGD momentum")]
    public double Momentum { get; set; } = 0.9;
    [Description("Learning-rate multiplier of the backbone relative to the head (e.g. 0.1 for a pretrained encoder)")]
    public double BackboneLearningRateFactor { get; set; } = 1;
    [Description("Learning-rate schedule after warm-up: cosine or multistep")]
    public string Scheduler { get; set; } = "multistep";
    [Description("Epochs of linear warm-up")]
    public int WarmupEpochs { get; set; } = 10;
    [Description("Learning-rate factor at the start of warm-up")]
    public double WarmupFactor { get; set; } = 0.01;
    [Description("Epochs after which multistep multiplies the learning rate by gamma")]
    public int[] Milestones { get; set; } = [40, 70];
    [Description("Multistep decay factor")]
    public double Gamma { get; set; } = 0.1;
    [Description("Clip the gradient norm to this (0 = off)")]
    public double GradientClipNorm { get; set; }
    [Description("Epochs of the main training loop")]
    public int Epochs { get; set; } = 120;
    [Description("Batches per epoch (0 = as the sampler defines an epoch)")]
    public int MaxBatchesPerEpoch { get; set; }

    // Prompt learning (CLIP-ReID and the methods built on it)
    [Description("Epochs of prompt learning (stage 1)")]
    public int Stage1Epochs { get; set; } = 120;
    [Description("Learning rate of prompt learning")]
    public double Stage1LearningRate { get; set; } = 3.5e-4;
    [Description("Learnt prompt tokens per identity")]
    public int PromptTokens { get; set; } = 4;
    [Description("Prompt template; each X is a learnt token")]
    public string PromptTemplate { get; set; } = "A photo of a X X X X person.";
    [Description("CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with merges.txt beside it)")]
    public string? ClipVocabularyFile { get; set; }
    [Description("Width of a CLIP text encoder built from scratch")]
    public int TextWidth { get; set; } = 512;
    [Description("Transformer blocks of a CLIP text encoder built from scratch")]
    public int TextLayers { get; set; } = 12;
    [Description("Context length of a CLIP text encoder built from scratch")]
    public int TextContextLength { get; set; } = 77;
    [Description("Vocabulary size of a CLIP text encoder built from scratch")]
    public int TextVocabSize { get; set; } = 49408;
    [Description("Weight of the image-to-text cross-entropy of fine-tuning")]
    public float ImageToTextWeight { get; set; } = 1f;

    // Running
    [Description("Evaluate on query/gallery every this many epochs (and at the end)")]
    public int EvaluateEvery { get; set; } = 10;
    [Description("Evaluate through ONNX Runtime (faster on CPU) instead of TorchSharp")]
    public bool EvaluateWithOnnxRuntime { get; set; } = true;
    [Description("Keep an epoch-NNN checkpoint (weights only) every this many epochs and at the end")]
    public int CheckpointEvery { get; set; } = 1;
    [Description("Random seed")]
    public long Seed { get; set; } = 1;
    [Description("libtorch threads (0 = its default)")]
    public int Threads { get; set; }
    [Description("Feed training batches in channels-last (NHWC) memory order, oneDNN's faster convolution path (false = NCHW)")]
    public bool ChannelsLast { get; set; } = true;

    /// <summary>The running method's own settings (<c>--set KEY.name=value</c>), or null when it has none.</summary>
    [JsonIgnore]
    public MethodOptions? Section { get; set; }

    /// <summary>The method's section as <typeparamref name="T"/>; a missing or other section is an error naming the method.</summary>
    public T SectionAs<T>() where T : MethodOptions =>
        Section as T ?? throw new InvalidOperationException($"method '{Method}' runs without its {typeof(T).Name} section");

    /// <summary>A deep copy (recipes hand out copies so that overrides never leak into the registry).</summary>
    public TrainingOptions Clone()
    {
        var copy = (TrainingOptions)MemberwiseClone();
        copy.Milestones = (int[])Milestones.Clone();
        copy.ResNetLayers = (int[])ResNetLayers.Clone();
        copy.Section = Section?.Clone();
        return copy;
    }

    [JsonIgnore]
    public int BatchSize => IdentitiesPerBatch * ImagesPerIdentity;
}
