using Microsoft.ML;
using ReId.MLNet.IO;

namespace ReId.MLNet.Pipelines;

/// <summary>A whole image → embedding pipeline saved as an ML.NET <c>.zip</c>: created from a model package, opened in a fresh context.</summary>
public static class ReIdModelZip
{
    /// <summary>Input column: the image path.</summary>
    public const string ImagePathColumn = "ImagePath";
    /// <summary>Output column: the embedding.</summary>
    public const string FeaturesColumn = "Features";

    /// <summary>Fits the ReIdEmbed chain of <paramref name="modelPackage"/> and saves it (with the ONNX bytes inside) to <paramref name="zipPath"/> atomically.</summary>
    public static void Create(string modelPackage, string zipPath, int? seed = null)
    {
        var ml = new MLContext(seed);
        var input = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        var model = ml.Transforms.ReIdEmbed(FeaturesColumn, modelPackage, ImagePathColumn).Fit(input);
        AtomicFile.Write(zipPath, stream => ml.Model.Save(model, input.Schema, stream));
    }

    /// <summary>Loads a saved pipeline in a new context as an embedder of image paths.</summary>
    public static IImageEmbedder Open(string zipPath) => new SavedPipelineEmbedder(zipPath, FeaturesColumn, ImagePathColumn);

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
