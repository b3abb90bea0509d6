using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// <see cref="IImageEmbedder"/> over the <c>ReIdEmbed</c> ML.NET chain. ML.NET already spreads the image stages
/// over the cores (parallel cursors), which on small CPU machines is as fast as batching; see the "embed" benchmark.
/// </summary>
public sealed class MlNetChainEmbedder : IImageEmbedder
{
    private const string PathColumn = ReIdColumnNames.ImagePath;
    private const string CameraColumn = ReIdColumnNames.Camera;
    private const string ViewColumn = ReIdColumnNames.View;
    private const string OutputColumn = "Embedding";
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly string? _imageFolder;
    private readonly string _modelPath;

    /// <summary>Builds and fits the chain for the model at <paramref name="modelPath"/> (package or raw ONNX with <paramref name="options"/>).</summary>
    public MlNetChainEmbedder(string modelPath, ReIdEmbedOptions? options = null, MLContext? context = null)
    {
        _ml = context ?? new MLContext();
        _imageFolder = options?.ImageFolder;
        _modelPath = modelPath;
        if (ModelPackage.IsPackagePath(modelPath))
        {
            var package = ModelPackage.Read(modelPath);
            UsesCameras = package.CameraInputName is not null;
            UsesViews = package.ViewInputName is not null;
        }
        var resolved = (options ?? new ReIdEmbedOptions()).Clone();
        resolved.ModelPath = modelPath;
        resolved.ModelPackage = null;
        resolved.CameraColumnName = CameraColumn;
        resolved.ViewColumnName = ViewColumn;
        var empty = _ml.Data.LoadFromEnumerable(Array.Empty<Row>());
        _model = _ml.Transforms.ReIdEmbed(OutputColumn, resolved, PathColumn).Fit(empty);
        var column = _model.GetOutputSchema(empty.Schema)[OutputColumn];
        EmbeddingSize = column.Type is VectorDataViewType { Size: > 0 } vector
            ? vector.Size
            : throw new InvalidDataException($"Model '{modelPath}' does not give a fixed-size embedding (column type {column.Type}).");
    }

    public int EmbeddingSize { get; }

    /// <summary>Whether the model needs each image's camera id.</summary>
    public bool UsesCameras { get; }

    /// <summary>Whether the model needs each image's view id.</summary>
    public bool UsesViews { get; }

    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Embed(imagePaths, null, null, progress, cancellationToken);

    public float[] Embed(IReadOnlyList<string> imagePaths, IReadOnlyList<int>? cameras, IReadOnlyList<int>? views,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        EmbedderIds.Require(UsesCameras, cameras, imagePaths.Count, "camera", _modelPath);
        EmbedderIds.Require(UsesViews, views, imagePaths.Count, "view", _modelPath);
        try
        {
            var rows = imagePaths.Select((p, i) => new Row { ImagePath = p, Camera = cameras?[i] ?? 0, View = views?[i] ?? 0 });
            var view = _model.Transform(_ml.Data.LoadFromEnumerable(rows));
            return EmbeddingColumnReader.Read(view, OutputColumn, imagePaths.Count, EmbeddingSize, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ImageFailure.Explain(ex, imagePaths, _imageFolder);
        }
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    private sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public int Camera { get; set; }
        public int View { get; set; }
    }
}
