namespace ReId.MLNet.Pipelines;

/// <summary>Opens whatever a user calls "a model" as an <see cref="IImageEmbedder"/>: a model package (folder, <c>model.json</c> or
/// <c>.onnx</c>) or a fitted ML.NET pipeline <c>.zip</c>.</summary>
public static class ImageEmbedders
{
    /// <summary>
    /// A <c>.zip</c> opens as a <see cref="SavedPipelineEmbedder"/> (its embedding column is <see cref="ReIdEmbedOptions.OutputName"/> when
    /// given); anything else as a model package run by <paramref name="engine"/> with <paramref name="options"/>
    /// (<paramref name="batchSize"/> images per ONNX Runtime call for the batched engine).
    /// </summary>
    public static IImageEmbedder Open(string modelPath, ReIdEmbedOptions? options = null, EmbeddingEngine engine = EmbeddingEngine.Auto, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        options ??= new ReIdEmbedOptions();
        if (modelPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return new SavedPipelineEmbedder(modelPath, options.OutputName);
        bool batched = engine switch
        {
            EmbeddingEngine.MlNet => false,
            EmbeddingEngine.Batched => true,
            EmbeddingEngine.Auto => options.GpuDeviceId is not null,
            _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "expected Auto, MlNet or Batched"),
        };
        return batched ? new OnnxEmbedder(modelPath, options, batchSize) : new MlNetChainEmbedder(modelPath, options);
    }
}
