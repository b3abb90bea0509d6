using Microsoft.ML;
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
    /// Image path (or loaded image) → embedding (float vector, L2-normalised unless the package or options say otherwise).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    /// <param name="modelPath">A model package folder, its model.json, or an .onnx file (with explicit size/mean/std in <paramref name="options"/>).</param>
    /// <param name="inputColumnName">Image path or image column; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="options">Overrides and extra settings; its ModelPath is ignored in favour of <paramref name="modelPath"/>.</param>
    public static IEstimator<ITransformer> ReIdEmbed(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, ReIdEmbedOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var resolved = (options ?? new ReIdEmbedOptions()).Clone();
        resolved.ModelPath = modelPath;
        resolved.ModelPackage = null;
        return catalog.ReIdEmbed(outputColumnName, resolved, inputColumnName);
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
    /// Image → CLIP image embedding from a CLIP image-encoder ONNX model (CLIP preprocessing by default), and
    /// optionally the patch tokens as a second column (<see cref="ClipImageFeaturesOptions.PatchTokensColumnName"/>).
    /// </summary>
    public static IEstimator<ITransformer> ClipImageFeatures(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, ClipImageFeaturesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        options ??= new ClipImageFeaturesOptions();
        var resolved = (ClipImageFeaturesOptions)options.Clone();
        resolved.ModelPath = modelPath;
        resolved.ModelPackage = null;
        var spec = ImageModelSpec.Resolve(resolved, nameof(ClipImageFeaturesOptions),
            ClipImageFeaturesOptions.ClipMean, ClipImageFeaturesOptions.ClipStd, ClipImageFeaturesOptions.ClipInputSize,
            model => DefaultClipOutput(model, resolved.PatchTokensOutputName));
        var outputs = new List<ImageModelOutput> { new(outputColumnName, spec.OutputName, spec.NormalizeOutput, spec.EmbeddingSize) };
        if (resolved.PatchTokensColumnName is not null)
        {
            if (resolved.PatchTokensOutputName is null)
                throw new ArgumentException($"{nameof(ClipImageFeaturesOptions)}.PatchTokensOutputName (the model output with the patch tokens) is required with PatchTokensColumnName.", nameof(options));
            _ = OnnxModelRewriter.ResolveOutput(spec.Model, resolved.PatchTokensOutputName, spec.Source);
            outputs.Add(new ImageModelOutput(resolved.PatchTokensColumnName, resolved.PatchTokensOutputName, false));
        }
        return new ImageModelEstimator(catalog, inputColumnName ?? outputColumnName, resolved.ImageFolder, spec, outputs,
            resolved.GpuDeviceId, resolved.FallbackToCpu, resolved.CameraColumnName, resolved.ViewColumnName);
    }

    /// <summary>
    /// Float vector → float vector through an ONNX module (for example a semantic-enhancement module exported by
    /// training) whose single input is [batch, D] or [D].
    /// </summary>
    public static IEstimator<ITransformer> SemanticEnhance(
        this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null,
        string? modelOutputName = null, int? gpuDeviceId = null, bool fallbackToCpu = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        string input = inputColumnName ?? outputColumnName;
        var model = OnnxModelFile.Read(modelPath);
        var modelInput = OnnxModelRewriter.ResolveInput(model, null, modelPath);
        var dims = OnnxModelRewriter.Dims(modelInput);
        long featureSize = dims is { Length: > 0 } && dims[^1] is { } last
            ? last
            : throw new InvalidDataException($"ONNX model '{modelPath}': input '{modelInput.Name}' must declare a fixed feature size as its last dimension.");
        if (dims.Length > 2)
            throw new InvalidDataException($"ONNX model '{modelPath}': input '{modelInput.Name}' has rank {dims.Length}; [batch, D] or [D] was expected.");
        var output = OnnxModelRewriter.ResolveOutput(model, modelOutputName, modelPath);
        string tempIn = $"__{outputColumnName}.enhance.in";
        string tempOut = $"__{outputColumnName}.enhance.out";
        OnnxDim[] inputShape = dims.Length == 2 ? [1, featureSize] : [featureSize];
        byte[] bytes = OnnxModelRewriter.Wrap(model, modelInput.Name, tempIn, inputShape, null, null,
            [(output.Name, tempOut, null)], modelPath);
        return catalog.CopyColumns(tempIn, input)
            .Append(catalog.ApplyOnnxModel([tempOut], [tempIn], new MemoryStream(bytes, writable: false),
                OnnxDevices.Resolve(gpuDeviceId, fallbackToCpu), fallbackToCpu))
            .Append(catalog.CopyColumns(outputColumnName, tempOut))
            .Append(catalog.DropColumns(tempIn, tempOut));
    }

    /// <summary>
    /// Query embedding → the top-k gallery items: <c>outputColumnName</c> gets the gallery row indices (Int64, best
    /// first), <c>outputColumnName + "Identities"</c> their identities and <c>outputColumnName + "Distances"</c> the
    /// distances (1 − cos for <see cref="RankMetric.Cosine"/>, plain L2 for <see cref="RankMetric.Euclidean"/>). Exact;
    /// the gallery is stored inside the saved model.
    /// </summary>
    /// <param name="gallery">Gallery features, N×<paramref name="dimension"/> row-major.</param>
    /// <param name="galleryIdentities">Identity of each gallery row (default: the row index).</param>
    public static IEstimator<ITransformer> ReIdRank(
        this TransformsCatalog catalog, string outputColumnName, float[] gallery, int dimension, string inputColumnName,
        long[]? galleryIdentities = null, int topK = 10, RankMetric metric = RankMetric.Cosine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentNullException.ThrowIfNull(gallery);
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The feature dimension must be positive.");
        long[] identities = galleryIdentities ?? Enumerable.Range(0, gallery.Length / dimension).Select(i => (long)i).ToArray();
        string query = $"__{outputColumnName}.rank.query";
        string indices = $"__{outputColumnName}.rank.indices";
        string ids = $"__{outputColumnName}.rank.identities";
        string distances = $"__{outputColumnName}.rank.distances";
        byte[] bytes = RankingGraph.Build(query, indices, ids, distances, gallery, dimension, identities, topK, metric);
        // The ONNX value names are private column names; the public ones are copied from them afterwards, so a
        // query column may share a name with an output.
        return catalog.CopyColumns(query, inputColumnName)
            .Append(catalog.ApplyOnnxModel([indices, ids, distances], [query], new MemoryStream(bytes, writable: false)))
            .Append(catalog.CopyColumns(outputColumnName, indices))
            .Append(catalog.CopyColumns(outputColumnName + "Identities", ids))
            .Append(catalog.CopyColumns(outputColumnName + "Distances", distances))
            .Append(catalog.DropColumns(query, indices, ids, distances));
    }

    /// <summary>
    /// Query embedding → top-k of a gallery read from a feature file (<c>FeatureFile.Read</c>); the identities column
    /// gets the gallery's identities. See the other overload for the output columns.
    /// </summary>
    public static IEstimator<ITransformer> ReIdRank(
        this TransformsCatalog catalog, string outputColumnName, Features.FeatureSet gallery, string inputColumnName,
        int topK = 10, RankMetric metric = RankMetric.Cosine)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        if (gallery.Features.Length != (long)gallery.Rows * gallery.Dim)
            throw new ArgumentException($"The gallery feature set holds {gallery.Features.Length} floats for {gallery.Rows}×{gallery.Dim}.", nameof(gallery));
        return catalog.ReIdRank(outputColumnName, gallery.Features, gallery.Dim, inputColumnName,
            gallery.Identities.Select(i => (long)i).ToArray(), topK, metric);
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
