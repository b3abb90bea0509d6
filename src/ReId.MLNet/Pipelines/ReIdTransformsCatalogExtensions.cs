using Microsoft.ML;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>
/// ReID stages on <c>mlContext.Transforms</c>. Each one is a chain of ML.NET's own public stages (image
/// loading, resizing, pixel extraction, <c>ApplyOnnxModel</c>, normalisation), so fitted pipelines save into
/// and load from a .zip with <c>mlContext.Model.Save/Load</c>; the ONNX models travel inside the .zip.
/// </summary>
public static class ReIdTransformsCatalogExtensions
{
    /// <summary>
    /// Image path (or loaded image) → embedding (float vector, L2-normalised unless the package says otherwise).
    /// For other settings (camera column, GPU, a raw .onnx with its size/mean/std) use the overload with <see cref="ReIdEmbedOptions"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    /// <param name="modelPath">A model package folder, its model.json, or an .onnx file that needs no explicit size/mean/std.</param>
    /// <param name="inputColumnName">Image path or image column; defaults to <paramref name="outputColumnName"/>.</param>
    public static IEstimator<ITransformer> ReIdEmbed(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        return catalog.ReIdEmbed(outputColumnName, new ReIdEmbedOptions { ModelPath = modelPath }, inputColumnName);
    }

    /// <summary>Image path (or loaded image) → embedding, with the model given by <see cref="ReIdEmbedOptions.ModelPath"/> or <see cref="ReIdEmbedOptions.ModelPackage"/>.</summary>
    public static IEstimator<ITransformer> ReIdEmbed(
        this TransformsCatalog catalog, string outputColumnName, ReIdEmbedOptions options, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentNullException.ThrowIfNull(options);
        var spec = ImageModelSpec.Resolve(options, nameof(ReIdEmbedOptions));
        var outputs = new[] { new ImageModelOutput(outputColumnName, spec.OutputName, spec.NormalizeOutput, spec.EmbeddingSize) };
        return new ImageModelEstimator(catalog, inputColumnName ?? outputColumnName, options.ImageFolder, spec, outputs,
            options.GpuDeviceId, options.FallbackToCpu, options.CameraColumnName, options.ViewColumnName);
    }

    /// <summary>
    /// Image → CLIP image embedding from a CLIP image-encoder ONNX model (or model package) with CLIP's preprocessing.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The CLIP embedding column.</param>
    /// <param name="modelPath">The image encoder: an .onnx file, a model package folder or its model.json.</param>
    /// <param name="inputColumnName">Image path or image column; defaults to <paramref name="outputColumnName"/>.</param>
    public static IEstimator<ITransformer> ClipImageFeatures(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        return catalog.ClipImageFeatures(new ClipImageFeaturesOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ModelPath = modelPath,
        });
    }

    /// <summary>
    /// Image → CLIP image embedding as <paramref name="options"/> say (model, columns, preprocessing overrides), and optionally
    /// the patch tokens as a second column (<see cref="ClipImageFeaturesOptions.PatchTokensColumnName"/>).
    /// </summary>
    public static IEstimator<ITransformer> ClipImageFeatures(this TransformsCatalog catalog, ClipImageFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputColumnName, $"{nameof(options)}.{nameof(options.OutputColumnName)}");
        var spec = ImageModelSpec.Resolve(options, nameof(ClipImageFeaturesOptions),
            ChannelStatistics.ClipMean.ToArray(), ChannelStatistics.ClipStd.ToArray(), ClipImageFeaturesOptions.ClipInputSize,
            model => DefaultClipOutput(model, options.PatchTokensOutputName));
        var outputs = new List<ImageModelOutput> { new(options.OutputColumnName, spec.OutputName, spec.NormalizeOutput, spec.EmbeddingSize) };
        if (options.PatchTokensColumnName is not null)
        {
            if (options.PatchTokensOutputName is null)
                throw new ArgumentException($"{nameof(ClipImageFeaturesOptions)}.PatchTokensOutputName (the model output with the patch tokens) is required with PatchTokensColumnName.", nameof(options));
            _ = OnnxModelRewriter.ResolveOutput(spec.Model, options.PatchTokensOutputName, spec.Source);
            outputs.Add(new ImageModelOutput(options.PatchTokensColumnName, options.PatchTokensOutputName, false));
        }
        return new ImageModelEstimator(catalog, options.InputColumnName ?? options.OutputColumnName, options.ImageFolder, spec, outputs,
            options.GpuDeviceId, options.FallbackToCpu, options.CameraColumnName, options.ViewColumnName);
    }

    /// <summary>
    /// Float vector → float vector through an ONNX module (for example a semantic-enhancement module exported by
    /// training) whose single input is [batch, D] or [D].
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The enhanced vector's column.</param>
    /// <param name="modelPath">The ONNX module.</param>
    /// <param name="inputColumnName">The input vector's column; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="modelOutputName">Which model output is the result when it has several.</param>
    /// <param name="gpuDeviceId">CUDA device for ONNX Runtime; null = CPU.</param>
    /// <param name="fallbackToCpu">Run on the CPU when the CUDA device is not available.</param>
    public static IEstimator<ITransformer> SemanticEnhance(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null,
        string? modelOutputName = null, int? gpuDeviceId = null, bool fallbackToCpu = true) =>
        catalog.SemanticEnhance(new SemanticEnhanceOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ModelPath = modelPath,
            ModelOutputName = modelOutputName, GpuDeviceId = gpuDeviceId, FallbackToCpu = fallbackToCpu,
        });

    /// <summary>Float vector → float vector through the ONNX module of <paramref name="options"/> (see the flat overload).</summary>
    public static IEstimator<ITransformer> SemanticEnhance(this TransformsCatalog catalog, SemanticEnhanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        string outputColumnName = options.OutputColumnName, modelPath = options.ModelPath;
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName, $"{nameof(options)}.{nameof(options.OutputColumnName)}");
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath, $"{nameof(options)}.{nameof(options.ModelPath)}");
        string input = options.InputColumnName ?? outputColumnName;
        var model = OnnxModelFile.Read(modelPath);
        var modelInput = OnnxModelRewriter.ResolveInput(model, null, modelPath);
        var dims = OnnxModelRewriter.Dims(modelInput);
        long featureSize = dims is { Length: > 0 } && dims[^1] is { } last
            ? last
            : throw new InvalidDataException($"ONNX model '{modelPath}': input '{modelInput.Name}' must declare a fixed feature size as its last dimension.");
        if (dims.Length > 2)
            throw new InvalidDataException($"ONNX model '{modelPath}': input '{modelInput.Name}' has rank {dims.Length}; [batch, D] or [D] was expected.");
        var output = OnnxModelRewriter.ResolveOutput(model, options.ModelOutputName, modelPath);
        string tempIn = $"__{outputColumnName}.enhance.in";
        string tempOut = $"__{outputColumnName}.enhance.out";
        OnnxDim[] inputShape = dims.Length == 2 ? [1, featureSize] : [featureSize];
        byte[] bytes = OnnxModelRewriter.Wrap(model, modelInput.Name, tempIn, inputShape, null, null,
            [(output.Name, tempOut, null)], modelPath);
        return catalog.CopyColumns(tempIn, input)
            .Append(catalog.ApplyOnnxModel([tempOut], [tempIn], new MemoryStream(bytes, writable: false),
                OnnxDevices.Resolve(options.GpuDeviceId, options.FallbackToCpu), options.FallbackToCpu))
            .Append(catalog.CopyColumns(outputColumnName, tempOut))
            .Append(catalog.DropColumns(tempIn, tempOut));
    }

    /// <summary>
    /// Query embedding → the top-k gallery items: <c>outputColumnName</c> gets the gallery row indices (Int64, best
    /// first), <c>outputColumnName + "Identities"</c> their identities and <c>outputColumnName + "Distances"</c> the
    /// distances (1 − cos for <see cref="DistanceMetric.Cosine"/>, plain L2 for <see cref="DistanceMetric.Euclidean"/>); other
    /// names for those two columns are set with <see cref="ReIdRankOptions"/>. Exact; the gallery is stored inside the saved model.
    /// A query row holding NaN or ±∞ gets no result rather than an arbitrary ranking: all its indices and identities are −1
    /// and all its distances NaN (the ranking runs inside an ONNX graph, which cannot raise an error per row). A gallery
    /// holding NaN or ±∞ is refused here with an <see cref="ArgumentException"/> naming the row.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column of gallery row indices.</param>
    /// <param name="gallery">Gallery features, N×<paramref name="dimension"/> row-major.</param>
    /// <param name="dimension">Length of one embedding.</param>
    /// <param name="inputColumnName">The query embedding column; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="galleryIdentities">Identity of each gallery row (default: the row index).</param>
    /// <param name="topK">How many gallery items each query gets.</param>
    /// <param name="metric">The distance.</param>
    public static IEstimator<ITransformer> ReIdRank(
        this TransformsCatalog catalog, string outputColumnName, float[] gallery, int dimension, string? inputColumnName = null,
        long[]? galleryIdentities = null, int topK = 10, DistanceMetric metric = DistanceMetric.Cosine) =>
        catalog.ReIdRank(new ReIdRankOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Gallery = gallery, Dimension = dimension,
            GalleryIdentities = galleryIdentities, TopK = topK, Metric = metric,
        });

    /// <summary>
    /// Query embedding → top-k of a gallery feature set (for example <c>FeatureFile.Read</c>); the identities column
    /// gets the gallery's identities. See the other overloads for the output columns.
    /// </summary>
    public static IEstimator<ITransformer> ReIdRank(
        this TransformsCatalog catalog, string outputColumnName, Features.FeatureSet gallery, string? inputColumnName = null,
        int topK = 10, DistanceMetric metric = DistanceMetric.Cosine) =>
        catalog.ReIdRank(new ReIdRankOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TopK = topK, Metric = metric,
        }.WithGallery(gallery));

    /// <summary>Query embedding → the top-k gallery items as <paramref name="options"/> say (gallery, k, distance, the three output columns' names).</summary>
    public static IEstimator<ITransformer> ReIdRank(this TransformsCatalog catalog, ReIdRankOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        string outputColumnName = options.OutputColumnName;
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName, $"{nameof(options)}.{nameof(options.OutputColumnName)}");
        ArgumentNullException.ThrowIfNull(options.Gallery, $"{nameof(options)}.{nameof(options.Gallery)}");
        int dimension = options.Dimension;
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), dimension, "The feature dimension must be positive.");
        float[] gallery = options.Gallery;
        long[] identities = options.GalleryIdentities ?? Enumerable.Range(0, gallery.Length / dimension).Select(i => (long)i).ToArray();
        string input = options.InputColumnName ?? outputColumnName;
        string query = $"__{outputColumnName}.rank.query";
        string indices = $"__{outputColumnName}.rank.indices";
        string ids = $"__{outputColumnName}.rank.identities";
        string distances = $"__{outputColumnName}.rank.distances";
        byte[] bytes = RankingGraph.Build(query, indices, ids, distances, gallery, dimension, identities, options.TopK, options.Metric);
        // The ONNX value names are private column names; the public ones are copied from them afterwards, so a
        // query column may share a name with an output.
        return catalog.CopyColumns(query, input)
            .Append(catalog.ApplyOnnxModel([indices, ids, distances], [query], new MemoryStream(bytes, writable: false)))
            .Append(catalog.CopyColumns(outputColumnName, indices))
            .Append(catalog.CopyColumns(options.IdentitiesColumnName ?? outputColumnName + "Identities", ids))
            .Append(catalog.CopyColumns(options.DistancesColumnName ?? outputColumnName + "Distances", distances))
            .Append(catalog.DropColumns(query, indices, ids, distances));
    }

    /// <summary>
    /// With several outputs and no OutputName: Hugging Face's "image_embeds", else the single output that is
    /// not the patch tokens; null leaves the choice to the usual "say which one" error.
    /// </summary>
    private static string? DefaultClipOutput(Onnx.Proto.ModelProto model, string? patchTokensOutput)
    {
        var names = model.Graph.Output.Select(o => o.Name).ToList();
        if (names.Contains("image_embeds"))
            return "image_embeds";
        var others = names.Where(n => n != patchTokensOutput).ToList();
        return others.Count == 1 ? others[0] : null;
    }
}
