using Microsoft.ML;
using Microsoft.ML.Data;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// <see cref="IImageEmbedder"/> over a fitted pipeline saved with <c>mlContext.Model.Save</c> (for example
/// <c>ReIdEmbed</c> followed by other stages): image paths go into its text input column, embeddings come out of
/// a float-vector column.
/// </summary>
public sealed class SavedPipelineEmbedder : IImageEmbedder
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly string _inputColumn;
    private readonly string _outputColumn;

    /// <param name="zipPath">The saved model (.zip).</param>
    /// <param name="outputColumn">The embedding column; default: "Embedding" if present, else the only float-vector column the pipeline adds.</param>
    /// <param name="inputColumn">The image-path column; default: the only text column of the saved input schema.</param>
    public SavedPipelineEmbedder(string zipPath, string? outputColumn = null, string? inputColumn = null, MLContext? context = null)
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
    }

    public int EmbeddingSize { get; }

    public float[] Embed(IReadOnlyList<string> imagePaths, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        try
        {
            var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(PathRow));
            definition[0].ColumnName = _inputColumn;
            var input = _ml.Data.LoadFromEnumerable(imagePaths.Select(p => new PathRow { ImagePath = p }), definition);
            var view = _model.Transform(input);
            return EmbeddingColumnReader.Read(view, _outputColumn, imagePaths.Count, EmbeddingSize, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ImageFailure.Explain(ex, imagePaths, null);
        }
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
