using ReId.MLNet.Data;
using ReId.MLNet.Pipelines;
using ReId.Training.Augmentation;
using ReId.Training.Engine;
using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using static TorchSharp.torch;

namespace ReId.Training.Pipelines;

/// <summary>
/// CLIP image embeddings straight from safetensors weights (what <c>reid embed --backbone clip</c> runs), ViT or
/// ModifiedResNet (told apart by tensor names):
/// decode, bicubic resize to the input size (none when the image already has it), CLIP mean/std, the image
/// encoder's projected output, L2-normalised rows.
/// </summary>
public sealed class ClipImageEmbedder : IImageEmbedder
{
    private readonly nn.Module<Tensor, Tensor> _encoder;
    private readonly AugmentationOptions _preprocess;
    private readonly int _batchSize, _workers;

    /// <summary>
    /// Loads the image tower of the CLIP weights at <paramref name="weightsPath"/> for inputs of
    /// <paramref name="inputSize"/> (default: the pretrained size; other sizes resize the positional grid).
    /// </summary>
    public ClipImageEmbedder(string weightsPath, (int Height, int Width)? inputSize = null, int batchSize = 32, int workers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var kind = ClipImageEncoders.Detect(SafetensorsFile.ReadNames(weightsPath));
        (nn.Module<Tensor, Tensor> model, LoadReport report, int embedding, int height, int width) = kind switch
        {
            ClipImageEncoderKind.ModifiedResNet => LoadResNet(weightsPath, inputSize),
            _ => LoadVit(weightsPath, inputSize),
        };
        _encoder = report.RequireComplete(model, $"Weights '{weightsPath}'", "the CLIP image encoder");
        EmbeddingSize = embedding;
        LoadReport = report;
        InputHeight = height;
        InputWidth = width;
        _preprocess = new AugmentationOptions
        {
            Height = InputHeight, Width = InputWidth, Interpolation = ResizeInterpolation.Bicubic, Normalization = "clip",
        };
        _batchSize = batchSize;
        _workers = workers;
    }

    private static (nn.Module<Tensor, Tensor>, LoadReport, int, int, int) LoadVit(string path, (int Height, int Width)? inputSize)
    {
        var (m, r) = ClipVisionWeights.Load(path, o =>
        {
            if (inputSize is { } size) (o.InputHeight, o.InputWidth) = size;
        });
        return (m, r, m.EmbeddingSize, m.Options.InputHeight, m.Options.InputWidth);
    }

    private static (nn.Module<Tensor, Tensor>, LoadReport, int, int, int) LoadResNet(string path, (int Height, int Width)? inputSize)
    {
        var (m, r) = ClipResNetWeights.Load(path, o =>
        {
            if (inputSize is { } size) (o.InputHeight, o.InputWidth) = size;
        });
        return (m, r, m.EmbeddingSize, m.Options.InputHeight, m.Options.InputWidth);
    }

    /// <inheritdoc/>
    public int EmbeddingSize { get; }

    /// <summary>Input height in pixels.</summary>
    public int InputHeight { get; }

    /// <summary>Input width in pixels.</summary>
    public int InputWidth { get; }

    /// <summary>Which tensors of the file were not used (the text tower is not counted).</summary>
    public LoadReport LoadReport { get; }

    /// <inheritdoc/>
    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var samples = imagePaths.Select(p => new ReIdSample(p, -1, -1, DatasetSplit.Query)).ToList();
        return FeatureExtractor.Embed(_encoder, samples, _preprocess, _batchSize, _workers, progress, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _encoder.Dispose();
}
