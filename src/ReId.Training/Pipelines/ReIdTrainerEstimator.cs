using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Pipelines;
using ReId.Training.Engine;

namespace ReId.Training.Pipelines;

/// <summary>An ML.NET estimator whose Fit trains a ReID model with TorchSharp and returns the fitted image → embedding pipeline
/// (ML.NET's own stages around the exported ONNX model), which saves to and loads from a .zip natively.</summary>
public sealed class ReIdTrainerEstimator : IEstimator<ITransformer>
{
    private readonly MLContext _context;

    internal ReIdTrainerEstimator(MLContext context, ReIdTrainerOptions options)
    {
        _context = context;
        Options = options;
    }

    public ReIdTrainerOptions Options { get; }

    /// <summary>
    /// The outcome of the last <see cref="Fit"/> on this estimator (run folder, final metrics when evaluated). Kept for the notebooks;
    /// <see cref="FitWithResult"/> returns the same without state shared between calls.
    /// </summary>
    public TrainingResult? LastResult { get; private set; }

    /// <summary>Trains and returns the fitted image → embedding pipeline (see <see cref="FitWithResult"/>).</summary>
    public ITransformer Fit(IDataView input)
    {
        var (model, result) = FitWithResult(input);
        LastResult = result;
        return model;
    }

    /// <summary>Trains on <paramref name="input"/> and returns the fitted pipeline together with the training outcome.</summary>
    public (ITransformer Model, TrainingResult Result) FitWithResult(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var samples = ReadSamples(input);
        var dataset = new ReIdDataset("custom", Options.RunDirectory, samples, [], []);
        var training = Options.Training.Clone();
        if (dataset.NumTrainIdentities < training.IdentitiesPerBatch)
            throw new ArgumentException($"the training data has {dataset.NumTrainIdentities} identities but a batch needs {training.IdentitiesPerBatch}; lower Training.IdentitiesPerBatch");
        var result = new ReIdTrainer(training, Options.Log).Train(dataset, Options.RunDirectory);
        // A model with camera embeddings (SIE, CLIP-SENet) reads each image's camera from the column it was trained with.
        bool usesCameras = MLNet.Onnx.ModelPackage.Read(result.ModelPackageDirectory).CameraInputName is not null;
        var fitted = _context.Transforms.ReIdEmbed(Options.FeatureColumnName,
            new ReIdEmbedOptions { ModelPath = result.ModelPackageDirectory, CameraColumnName = usesCameras ? Options.CameraColumnName : null },
            Options.ImagePathColumnName);
        return (fitted.Fit(input), result);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var path = inputSchema.FirstOrDefault(c => c.Name == Options.ImagePathColumnName);
        if (path.Name is null || path.ItemType is not TextDataViewType)
            throw new ArgumentException($"input has no text column '{Options.ImagePathColumnName}' of image paths", nameof(inputSchema));
        if (inputSchema.All(c => c.Name != Options.IdentityColumnName))
            throw new ArgumentException($"input has no identity column '{Options.IdentityColumnName}'", nameof(inputSchema));
        // The fitted chain adds a known-size float vector; a chain of public stages with the same output kind gives its shape.
        const string image = "__reid_shape_image";
        var shapeOnly = _context.Transforms.LoadImages(image, null, Options.ImagePathColumnName)
            .Append(_context.Transforms.ResizeImages(image, 1, 1))
            .Append(_context.Transforms.ExtractPixels(Options.FeatureColumnName, image))
            .Append(_context.Transforms.DropColumns(image));
        return shapeOnly.GetOutputSchema(inputSchema);
    }

    private List<ReIdSample> ReadSamples(IDataView input)
    {
        var schema = input.Schema;
        var pathCol = schema.GetColumnOrNull(Options.ImagePathColumnName) ?? throw new ArgumentException($"input has no column '{Options.ImagePathColumnName}'");
        var idCol = schema.GetColumnOrNull(Options.IdentityColumnName) ?? throw new ArgumentException($"input has no column '{Options.IdentityColumnName}'");
        var camCol = Options.CameraColumnName is { } c ? schema.GetColumnOrNull(c) ?? throw new ArgumentException($"input has no column '{c}'") : (DataViewSchema.Column?)null;
        var columns = new List<DataViewSchema.Column> { pathCol, idCol };
        if (camCol is { } cc) columns.Add(cc);
        using var cursor = input.GetRowCursor(columns);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(pathCol);
        var getId = IntegerColumn.Getter(cursor, idCol);
        var getCam = camCol is { } cam ? IntegerColumn.Getter(cursor, cam) : () => -1;
        var samples = new List<ReIdSample>();
        ReadOnlyMemory<char> p = default;
        while (cursor.MoveNext())
        {
            getPath(ref p);
            string imagePath = Path.GetFullPath(p.ToString());
            if (!File.Exists(imagePath)) throw new FileNotFoundException($"image '{imagePath}' (row {samples.Count + 1}) does not exist", imagePath);
            samples.Add(new ReIdSample(imagePath, getId(), getCam(), DatasetSplit.Train));
        }
        if (samples.Count == 0) throw new ArgumentException("the training data is empty");
        return samples;
    }
}
