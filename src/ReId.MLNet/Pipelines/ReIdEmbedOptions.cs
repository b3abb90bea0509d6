using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>Options of <c>ReIdEmbed</c>: where the model comes from and how images are fed to it.</summary>
public class ReIdEmbedOptions
{
    /// <summary>A model package folder, its model.json, or a raw .onnx file (then give the input size, mean and std).</summary>
    public string? ModelPath { get; set; }

    /// <summary>An already-read model package (takes precedence over <see cref="ModelPath"/>).</summary>
    public ModelPackage? ModelPackage { get; set; }

    /// <summary>The model's image input; needed only when the model has several inputs.</summary>
    public string? InputName { get; set; }

    /// <summary>Which model output is the embedding; needed only when the model has several outputs.</summary>
    public string? OutputName { get; set; }

    /// <summary>Model input height in pixels (read from the package or a fixed-size ONNX input when not set).</summary>
    public int? InputHeight { get; set; }

    /// <summary>Model input width in pixels (read from the package or a fixed-size ONNX input when not set).</summary>
    public int? InputWidth { get; set; }

    /// <summary>Per-channel mean on the 0..1 scale, in the model's channel order.</summary>
    public float[]? Mean { get; set; }

    /// <summary>Per-channel standard deviation on the 0..1 scale, in the model's channel order.</summary>
    public float[]? Std { get; set; }

    /// <summary>"RGB" or "BGR" (default: the package's, else RGB).</summary>
    public string? ChannelOrder { get; set; }

    /// <summary>How images are resized (default: the package's, else <see cref="ReIdResizeMode.Fill"/>).</summary>
    public ReIdResizeMode? ResizeMode { get; set; }

    /// <summary>Folder that relative image paths are resolved against.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>CUDA device for ONNX Runtime; null runs on CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads for the batched <c>OnnxEmbedder</c>; null uses every core (see <see cref="OnnxSessionOptions"/>).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Run on CPU when the GPU cannot be used (default true).</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>L2-normalise the embedding (default: the package's, else true).</summary>
    public bool? NormalizeOutput { get; set; }

    /// <summary>
    /// Column of each image's camera id (any integer type), for models with camera embeddings (the package's
    /// <see cref="ModelPackage.CameraInputName"/>); the ids are mapped to the model's camera positions inside the
    /// pipeline. An id the model was not trained on adds no camera term. Ignored for models that take images only.
    /// </summary>
    public string? CameraColumnName { get; set; }

    /// <summary>Column of each image's view (viewpoint) id, for models with view embeddings; like <see cref="CameraColumnName"/>.</summary>
    public string? ViewColumnName { get; set; }

    /// <summary>A shallow copy (arrays shared), keeping the derived type.</summary>
    internal ReIdEmbedOptions Clone() => (ReIdEmbedOptions)MemberwiseClone();
}
