using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Evaluation;

/// <summary>Evaluates an image embedder on a dataset's query and gallery splits.</summary>
public static class ModelEvaluation
{
    /// <summary>The protocol a dataset format is evaluated with by default.</summary>
    public static EvaluationProtocol DefaultProtocol(string format) => format.ToLowerInvariant() switch
    {
        "vehicleid" => EvaluationProtocol.VehicleId,
        "ltcc" or "prcc" => EvaluationProtocol.ClothesChangingStandard,
        _ => EvaluationProtocol.Market,
    };

    /// <summary>Embeds query and gallery and evaluates them.</summary>
    public static ReIdMetrics Evaluate(IImageEmbedder embedder, ReIdDataset dataset, EvaluationOptions? options = null, IProgress<(long Done, long Total)>? progress = null)
    {
        if (dataset.Query.Count == 0 || dataset.Gallery.Count == 0)
            throw new ReIdDataException($"dataset '{dataset.Root}' has {dataset.Query.Count} query and {dataset.Gallery.Count} gallery images; evaluation needs both");
        var q = Embed(embedder, dataset.Query, progress);
        var g = Embed(embedder, dataset.Gallery, progress);
        return FeatureEvaluation.Evaluate(q, g, options ?? new EvaluationOptions { Protocol = DefaultProtocol(dataset.Format) });
    }

    /// <summary>
    /// Evaluates a saved ML.NET image → embedding pipeline (<see cref="ReIdModelZip"/>) on the dataset's query and gallery:
    /// <paramref name="modelPath"/> is the <c>.zip</c> itself or a training run folder holding <c>model.zip</c>. Without
    /// <paramref name="options"/> the dataset's default protocol is used.
    /// </summary>
    public static ReIdMetrics EvaluateSavedModel(string modelPath, ReIdDataset dataset, EvaluationOptions? options = null,
        IProgress<(long Done, long Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        string zip = Directory.Exists(modelPath) ? Path.Combine(modelPath, "model.zip") : modelPath;
        using var embedder = ReIdModelZip.Open(zip);
        return Evaluate(embedder, dataset, options, progress);
    }

    /// <summary>
    /// Embeds samples into a feature set (row order = sample order). Their cameras are passed along (a model with camera
    /// embeddings needs them), and their views when the dataset has any.
    /// </summary>
    public static FeatureSet Embed(IImageEmbedder embedder, IReadOnlyList<ReIdSample> samples, IProgress<(long Done, long Total)>? progress = null)
    {
        var views = samples.Any(s => s.View >= 0) ? samples.Select(s => s.View).ToList() : null;
        if (embedder.UsesViews && views is null)
            throw new ReIdDataException("the model has view embeddings and needs each image's view id, but the dataset has no views (a 'view' column in the csv layout)");
        float[] f = embedder.Embed(samples.Select(s => s.ImagePath).ToList(), samples.Select(s => s.Camera).ToList(), views, progress);
        return FeatureSet.FromSamples(f, embedder.EmbeddingSize, samples);
    }
}
