using System.Text.Json.Serialization;

namespace ReId.Training.Recipes;

/// <summary>Every setting of a training run. Recipes are named instances; <c>--set key=value</c> overrides single fields.</summary>
public sealed class TrainingOptions
{
    /// <summary>Recipe this run started from (informational).</summary>
    public string Recipe { get; set; } = "custom";
    /// <summary>Training method: "bot" (CE-LS + triplet on a CNN or ViT) or "clip-reid" (two-stage prompt learning).</summary>
    public string Method { get; set; } = "bot";

    // Model
    /// <summary>Backbone name: resnet18, resnet34, resnet50, resnet50-ibn, resnet101-ibn, resnext101-ibn, clip-vit, clip-rn50.</summary>
    public string Backbone { get; set; } = "resnet50-ibn";
    /// <summary>Optional safetensors file with pretrained backbone weights (ImageNet or CLIP).</summary>
    public string? PretrainedWeights { get; set; }
    /// <summary>Refuse to start without <see cref="PretrainedWeights"/> (the full CLIP-ReID recipe only makes sense from CLIP's weights).</summary>
    public bool RequirePretrainedWeights { get; set; }
    public bool LastStrideOne { get; set; } = true;
    /// <summary>Pooling: "avg", "max" or "gem".</summary>
    public string Pooling { get; set; } = "avg";
    /// <summary>Feature used at inference: "after-bn" (BNNeck output) or "before-bn".</summary>
    public string InferenceFeature { get; set; } = "after-bn";
    /// <summary>Width/layers of a CLIP ViT built from scratch (when no pretrained weights are given).</summary>
    public int VitWidth { get; set; } = 768;
    public int VitLayers { get; set; } = 12;
    public int VitPatch { get; set; } = 16;
    public int VitStride { get; set; } = 16;
    /// <summary>CLIP ModifiedResNet (clip-rn50) stem width and blocks per stage when it is not read from pretrained weights.</summary>
    public int ResNetWidth { get; set; } = 64;
    public int[] ResNetLayers { get; set; } = [3, 4, 6, 3];
    public int EmbeddingDim { get; set; } = 512;
    /// <summary>SIE camera embeddings on the class token (CLIP-ReID).</summary>
    public bool CameraEmbedding { get; set; }

    // Data
    public int InputHeight { get; set; } = 256;
    public int InputWidth { get; set; } = 128;
    /// <summary>Identities per batch (P).</summary>
    public int IdentitiesPerBatch { get; set; } = 16;
    /// <summary>Images per identity in a batch (K).</summary>
    public int ImagesPerIdentity { get; set; } = 4;
    public int Workers { get; set; } = 2;
    public int Prefetch { get; set; } = 4;
    public float FlipProbability { get; set; } = 0.5f;
    public int Padding { get; set; } = 10;
    public float RandomErasingProbability { get; set; } = 0.5f;
    public float ColorJitterProbability { get; set; }
    public float GrayscaleProbability { get; set; }
    /// <summary>Normalisation: "imagenet", "clip" or "half" (mean = std = 0.5).</summary>
    public string Normalization { get; set; } = "imagenet";

    // Losses
    public float LabelSmoothing { get; set; } = 0.1f;
    public float TripletMargin { get; set; } = 0.3f;
    public bool SoftMarginTriplet { get; set; }
    public float CrossEntropyWeight { get; set; } = 1f;
    public float TripletWeight { get; set; } = 1f;
    public float CenterLossWeight { get; set; }
    /// <summary>Learning rate of the plain SGD that moves the class centres (bag of tricks: 0.5).</summary>
    public double CenterLearningRate { get; set; } = 0.5;
    public float SupConWeight { get; set; }

    // Optimisation
    /// <summary>"adam", "adamw" or "sgd".</summary>
    public string Optimizer { get; set; } = "adam";
    public double LearningRate { get; set; } = 3.5e-4;
    public double WeightDecay { get; set; } = 5e-4;
    public double BiasLearningRateFactor { get; set; } = 2;
    public double Momentum { get; set; } = 0.9;
    /// <summary>Learning-rate multiplier of the backbone relative to the head (e.g. 0.1 for a pretrained CLIP encoder).</summary>
    public double BackboneLearningRateFactor { get; set; } = 1;
    /// <summary>"cosine" or "multistep".</summary>
    public string Scheduler { get; set; } = "multistep";
    public int WarmupEpochs { get; set; } = 10;
    public double WarmupFactor { get; set; } = 0.01;
    public int[] Milestones { get; set; } = [40, 70];
    public double Gamma { get; set; } = 0.1;
    public double GradientClipNorm { get; set; }
    public int Epochs { get; set; } = 120;
    /// <summary>Batches per epoch; 0 = as the sampler defines an epoch.</summary>
    public int MaxBatchesPerEpoch { get; set; }

    // CLIP-ReID stage 1 (prompt learning)
    public int Stage1Epochs { get; set; } = 120;
    public double Stage1LearningRate { get; set; } = 3.5e-4;
    public int PromptTokens { get; set; } = 4;
    public string PromptTemplate { get; set; } = "A photo of a X X X X person.";
    /// <summary>CLIP BPE vocabulary: OpenAI's bpe_simple_vocab_16e6.txt.gz or Hugging Face's vocab.json (with merges.txt beside it). Needed with pretrained CLIP weights; without them prompts use placeholder token ids.</summary>
    public string? ClipVocabularyFile { get; set; }
    /// <summary>Text encoder width, layers, context length and vocabulary when it is not read from pretrained weights.</summary>
    public int TextWidth { get; set; } = 512;
    public int TextLayers { get; set; } = 12;
    public int TextContextLength { get; set; } = 77;
    public int TextVocabSize { get; set; } = 49408;
    public float ImageToTextWeight { get; set; } = 1f;

    // Running
    public int EvaluateEvery { get; set; } = 10;
    /// <summary>Evaluate by exporting the model to ONNX and running ONNX Runtime (several times faster on CPU than TorchSharp for CNNs); false runs TorchSharp.</summary>
    public bool EvaluateWithOnnxRuntime { get; set; } = true;
    /// <summary>Keep an epoch-NNN checkpoint (weights + optimiser state) every this many epochs and at the end; 'last' and 'best' are always kept.</summary>
    public int CheckpointEvery { get; set; } = 1;
    public long Seed { get; set; } = 1;
    public int Threads { get; set; }

    /// <summary>A deep copy (recipes hand out copies so that overrides never leak into the registry).</summary>
    public TrainingOptions Clone()
    {
        var copy = (TrainingOptions)MemberwiseClone();
        copy.Milestones = (int[])Milestones.Clone();
        return copy;
    }

    [JsonIgnore]
    public int BatchSize => IdentitiesPerBatch * ImagesPerIdentity;
}
