using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;

namespace ReId.Training.Onnx;

/// <summary>Writes the model package (<c>model.onnx</c> + <c>model.json</c>) that ReIdEmbed and <c>reid embed --model</c> read.</summary>
public static class ModelPackageExporter
{
    /// <summary>A fresh copy of <see cref="ChannelStatistics.ClipMean"/> for code that takes arrays.</summary>
    public static float[] ClipMean => ChannelStatistics.ClipMean.ToArray();

    /// <summary>A fresh copy of <see cref="ChannelStatistics.ClipStd"/> for code that takes arrays.</summary>
    public static float[] ClipStd => ChannelStatistics.ClipStd.ToArray();

    /// <summary>
    /// Exports <paramref name="module"/> (in eval mode) into the package folder <paramref name="directory"/>;
    /// returns the package as read back.
    /// </summary>
    /// <param name="cameraIds">
    /// The training camera ids (any order; stored sorted): offers the module the <see cref="OnnxExporter.CameraInputName"/>
    /// input of camera positions, and when it reads it, the package records the input and the ids so deployments can map
    /// a dataset's camera ids to positions. A module without camera embeddings gives an image-only package.
    /// </param>
    /// <param name="viewIds">The training view ids, likewise for <see cref="OnnxExporter.ViewInputName"/>.</param>
    public static ModelPackage Write(string directory, IOnnxExportable module, int inputHeight, int inputWidth, int embeddingSize,
        string architecture, float[]? mean = null, float[]? std = null, string resize = "bicubic",
        IEnumerable<int>? cameraIds = null, IEnumerable<int>? viewIds = null)
    {
        var cameras = cameraIds is null ? null : new ReId.MLNet.Pipelines.SortedIdIndex(cameraIds);
        var views = viewIds is null ? null : new ReId.MLNet.Pipelines.SortedIdIndex(viewIds);
        var bytes = OnnxExporter.Export(module, inputHeight, inputWidth, embeddingSize, architecture, cameraInput: cameras is not null, viewInput: views is not null);
        bool usesCameras = cameras is not null && OnnxExporter.HasInput(bytes, OnnxExporter.CameraInputName);
        bool usesViews = views is not null && OnnxExporter.HasInput(bytes, OnnxExporter.ViewInputName);
        return ModelPackage.Create(directory, bytes, new ModelPackage
        {
            InputName = OnnxExporter.InputName,
            OutputName = OnnxExporter.OutputName,
            InputHeight = inputHeight,
            InputWidth = inputWidth,
            Mean = mean ?? ClipMean,
            Std = std ?? ClipStd,
            EmbeddingSize = embeddingSize,
            Resize = resize,
            NormalizeOutput = true,
            Architecture = architecture,
            CreatedBy = "ReId.Training " + typeof(ModelPackageExporter).Assembly.GetName().Version,
            CameraInputName = usesCameras ? OnnxExporter.CameraInputName : null,
            CameraIds = usesCameras ? [.. cameras!.Ids] : null,
            ViewInputName = usesViews ? OnnxExporter.ViewInputName : null,
            ViewIds = usesViews ? [.. views!.Ids] : null,
        });
    }
}
