using ReId.MLNet.Onnx;
using ReId.Training.Weights;

namespace ReId.Training.Onnx;

/// <summary>Exports the image encoder of CLIP safetensors weights (OpenAI or Hugging Face layout) into a model package.</summary>
public static class ClipPackageExporter
{
    /// <summary>
    /// Writes the package into <paramref name="directory"/> for inputs of <paramref name="inputSize"/> (default: the
    /// pretrained size); returns it and the load report (the text tower is not counted as unexpected).
    /// </summary>
    public static (ModelPackage Package, LoadReport Report) WriteVit(string directory, string weightsPath, (int Height, int Width)? inputSize = null,
        int patchStride = 0, bool bicubicPositionResize = true)
    {
        var (model, report) = ClipVisionWeights.Load(weightsPath, o =>
        {
            if (inputSize is { } size) (o.InputHeight, o.InputWidth) = size;
            o.PatchStride = patchStride;
        }, bicubicPositionResize);
        using (report.RequireComplete(model, $"Safetensors file '{weightsPath}'", "the CLIP image encoder"))
        {
            var package = ModelPackageExporter.Write(directory, model, model.Options.InputHeight, model.Options.InputWidth, model.EmbeddingSize, "clip-vit");
            return (package, report);
        }
    }

    /// <summary>Writes the package of a CLIP ModifiedResNet (RN50 family) image encoder; <paramref name="lastStride"/> 1 is CLIP-ReID's ReID variant.</summary>
    public static (ModelPackage Package, LoadReport Report) WriteResNet(string directory, string weightsPath, (int Height, int Width)? inputSize = null,
        int lastStride = 2, bool bicubicPositionResize = true)
    {
        var (model, report) = ClipResNetWeights.Load(weightsPath, o =>
        {
            if (inputSize is { } size) (o.InputHeight, o.InputWidth) = size;
            o.LastStride = lastStride;
        }, bicubicPositionResize);
        using (report.RequireComplete(model, $"Safetensors file '{weightsPath}'", "the CLIP ModifiedResNet"))
        {
            var package = ModelPackageExporter.Write(directory, model, model.Options.InputHeight, model.Options.InputWidth, model.EmbeddingSize, "clip-rn50");
            return (package, report);
        }
    }
}
