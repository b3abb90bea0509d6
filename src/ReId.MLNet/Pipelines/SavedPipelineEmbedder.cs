using ReId.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// <see cref="IImageEmbedder"/> over a fitted pipeline saved with <c>mlContext.Model.Save</c> (for example
/// <c>ReIdEmbed</c> followed by other stages): image paths go into its text input column, embeddings come out of
/// a float-vector column. A pipeline that also reads an integer camera (view) column, like a <c>ReIdEmbed</c> of a model
/// with camera embeddings, is fed each image's camera (view) id there.
/// </summary>
public sealed class SavedPipelineEmbedder : IImageEmbedder
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly string _inputColumn;
    private readonly string _outputColumn;
    private readonly string _zipPath;
    private readonly string? _cameraColumn;
    private readonly string? _viewColumn;

    /// <param name="zipPath">The saved model (.zip).</param>
    /// <param name="outputColumn">The embedding column; default: "Embedding" if present, else the only float-vector column the pipeline adds.</param>
    /// <param name="inputColumn">The image-path column; default: the only text column of the saved input schema.</param>
    /// <param name="cameraColumn">The camera-id column (Int32); default: "Camera" when the pipeline needs it.</param>
    /// <param name="viewColumn">The view-id column (Int32); default: "View" when the pipeline needs it.</param>
    public SavedPipelineEmbedder(string zipPath, string? outputColumn = null, string? inputColumn = null, MLContext? context = null,
        string? cameraColumn = null, string? viewColumn = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zipPath);
        if (!File.Exists(zipPath))
            throw new FileNotFoundException($"Saved pipeline '{zipPath}' does not exist.", zipPath);
        _ml = context ?? new MLContext();
        DataViewSchema inputSchema;
        try
        {
            _model = _ml.Model.Load(zipPath, out inputSchema);
        }
        catch (Exception ex) when (ex is not FileNotFoundException)
        {
            throw new InvalidDataException($"'{zipPath}' is not a saved ML.NET model: {ex.Message}", ex);
        }
        var textColumns = inputSchema.Where(c => c.Type is TextDataViewType && !c.IsHidden).Select(c => c.Name).ToList();
        _inputColumn = inputColumn ?? (textColumns.Count == 1 ? textColumns[0]
            : throw new InvalidDataException($"Saved pipeline '{zipPath}' has {textColumns.Count} text input columns ({string.Join(", ", textColumns)}); say which holds the image paths."));
        if (!textColumns.Contains(_inputColumn))
            throw new InvalidDataException($"Saved pipeline '{zipPath}' has no text input column '{_inputColumn}' (text columns: {string.Join(", ", textColumns)}).");

        var outputSchema = _model.GetOutputSchema(inputSchema);
        var vectors = outputSchema
            .Where(c => !c.IsHidden && c.Type is VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } && n.RawType == typeof(float) && inputSchema.GetColumnOrNull(c.Name) is null)
            .Select(c => c.Name).ToList();
        _outputColumn = outputColumn ?? (vectors.Contains("Embedding") ? "Embedding" : vectors.Count == 1 ? vectors[0]
            : throw new InvalidDataException($"Saved pipeline '{zipPath}' adds {vectors.Count} fixed-size float vector columns ({string.Join(", ", vectors)}); say which is the embedding."));
        if (outputSchema.GetColumnOrNull(_outputColumn) is not { Type: VectorDataViewType { Size: > 0 } vector } || vector.ItemType != NumberDataViewType.Single)
            throw new InvalidDataException($"Saved pipeline '{zipPath}' has no fixed-size float vector column '{_outputColumn}'.");
        EmbeddingSize = vector.Size;
        _zipPath = zipPath;
        _cameraColumn = IdColumn(inputSchema, cameraColumn ?? ReIdColumnNames.Camera, cameraColumn is not null, zipPath);
        _viewColumn = IdColumn(inputSchema, viewColumn ?? "View", viewColumn is not null, zipPath);
    }

    /// <summary>
    /// The id column the pipeline needs, or null. A column merely present in the saved schema is not enough (pipelines
    /// fitted on whole dataset rows carry a Camera column they never read), so the pipeline is asked for its output
    /// schema without the column: only a pipeline that reads it fails.
    /// </summary>
    private string? IdColumn(DataViewSchema inputSchema, string name, bool explicitlyNamed, string zipPath)
    {
        if (inputSchema.GetColumnOrNull(name) is not { } column)
            return explicitlyNamed ? throw new InvalidDataException($"Saved pipeline '{zipPath}' has no input column '{name}'.") : null;
        var without = new DataViewSchema.Builder();
        foreach (var c in inputSchema)
        {
            if (c.Name != name)
                without.AddColumn(c.Name, c.Type, c.Annotations);
        }
        bool needed = explicitlyNamed;
        if (!needed)
        {
            try
            {
                _ = _model.GetOutputSchema(without.ToSchema());
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                needed = true;
            }
        }
        if (!needed)
            return null;
        if (column.Type != NumberDataViewType.Int32)
            throw new InvalidDataException($"Saved pipeline '{zipPath}': input column '{name}' holds {column.Type}; this embedder feeds Int32 ids.");
        return name;
    }

    /// <summary>Whether the pipeline needs each image's camera id.</summary>
    public bool UsesCameras => _cameraColumn is not null;

    /// <summary>Whether the pipeline needs each image's view id.</summary>
    public bool UsesViews => _viewColumn is not null;

    public int EmbeddingSize { get; }

    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Embed(imagePaths, null, null, progress, cancellationToken);

    public float[] Embed(IReadOnlyList<string> imagePaths, IReadOnlyList<int>? cameras, IReadOnlyList<int>? views,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        EmbedderIds.Require(UsesCameras, cameras, imagePaths.Count, "camera", _zipPath);
        EmbedderIds.Require(UsesViews, views, imagePaths.Count, "view", _zipPath);
        try
        {
            var input = UsesCameras || UsesViews
                ? LoadRows(imagePaths.Select((p, i) => new IdRow { ImagePath = p, Camera = cameras?[i] ?? 0, View = views?[i] ?? 0 }))
                : LoadRows(imagePaths.Select(p => new PathRow { ImagePath = p }));
            var view = _model.Transform(input);
            return EmbeddingColumnReader.Read(view, _outputColumn, imagePaths.Count, EmbeddingSize, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ImageFailure.Explain(ex, imagePaths, null);
        }
    }

    private IDataView LoadRows<TRow>(IEnumerable<TRow> rows) where TRow : class
    {
        var definition = SchemaDefinition.Create(typeof(TRow));
        foreach (var column in definition)
        {
            column.ColumnName = column.MemberName switch
            {
                nameof(PathRow.ImagePath) => _inputColumn,
                nameof(IdRow.Camera) => _cameraColumn ?? "__unused_camera",
                nameof(IdRow.View) => _viewColumn ?? "__unused_view",
                var other => other,
            };
        }
        return _ml.Data.LoadFromEnumerable(rows, definition);
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class IdRow
    {
        public string ImagePath { get; set; } = "";
        public int Camera { get; set; }
        public int View { get; set; }
    }
}
