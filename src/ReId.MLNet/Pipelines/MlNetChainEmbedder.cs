using Microsoft.ML;
using Microsoft.ML.Data;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// <see cref="IImageEmbedder"/> over the <c>ReIdEmbed</c> ML.NET chain. ML.NET already spreads the image stages
/// over the cores (parallel cursors), which on small CPU machines is as fast as batching; see the "embed" benchmark.
/// </summary>
public sealed class MlNetChainEmbedder : IImageEmbedder
{
    private const string PathColumn = "ImagePath";
    private const string OutputColumn = "Embedding";
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly string? _imageFolder;

    /// <summary>Builds and fits the chain for the model at <paramref name="modelPath"/> (package or raw ONNX with <paramref name="options"/>).</summary>
    public MlNetChainEmbedder(string modelPath, ReIdEmbedOptions? options = null, MLContext? context = null)
    {
        _ml = context ?? new MLContext();
        _imageFolder = options?.ImageFolder;
        var empty = _ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        _model = _ml.Transforms.ReIdEmbed(OutputColumn, modelPath, PathColumn, options).Fit(empty);
        var column = _model.GetOutputSchema(empty.Schema)[OutputColumn];
        EmbeddingSize = column.Type is VectorDataViewType { Size: > 0 } vector
            ? vector.Size
            : throw new InvalidDataException($"Model '{modelPath}' does not give a fixed-size embedding (column type {column.Type}).");
    }

    public int EmbeddingSize { get; }

    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        try
        {
            return EmbedCore(imagePaths, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ImageFailure.Explain(ex, imagePaths, _imageFolder);
        }
    }

    private float[] EmbedCore(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var view = _model.Transform(_ml.Data.LoadFromEnumerable(imagePaths.Select(p => new PathRow { ImagePath = p })));
        return EmbeddingColumnReader.Read(view, OutputColumn, imagePaths.Count, EmbeddingSize, progress, cancellationToken);
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
