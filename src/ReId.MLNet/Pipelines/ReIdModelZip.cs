using Microsoft.ML;
using ReId.MLNet.Data;
using ReId.MLNet.IO;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Pipelines;

/// <summary>A whole image → embedding pipeline saved as an ML.NET <c>.zip</c>: created from a model package, opened in a fresh context.</summary>
public static class ReIdModelZip
{
    /// <summary>
    /// Fits the ReIdEmbed chain of <paramref name="modelPackage"/> and saves it (with the ONNX bytes inside) to <paramref name="zipPath"/> atomically.
    /// A package with camera (view) embeddings gives a pipeline that also reads <see cref="ReIdColumnNames.Camera"/> (<see cref="ReIdColumnNames.View"/>); its input is <see cref="ReIdColumnNames.ImagePath"/>, its output <see cref="ReIdColumnNames.Features"/>.
    /// </summary>
    public static void Create(string modelPackage, string zipPath, int? seed = null)
    {
        var ml = new MLContext(seed);
        var package = ModelPackage.Read(modelPackage);
        var options = new ReIdEmbedOptions { ModelPackage = package };
        // Image-only models keep the one-column input schema they always had.
        IDataView input;
        if (package.CameraInputName is null && package.ViewInputName is null)
        {
            input = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        }
        else
        {
            var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(IdRow));
            foreach (var column in definition.ToList())
            {
                if ((column.MemberName == nameof(IdRow.Camera) && package.CameraInputName is null)
                    || (column.MemberName == nameof(IdRow.View) && package.ViewInputName is null))
                    definition.Remove(column);
            }
            input = ml.Data.LoadFromEnumerable(Array.Empty<IdRow>(), definition);
            options.CameraColumnName = package.CameraInputName is null ? null : ReIdColumnNames.Camera;
            options.ViewColumnName = package.ViewInputName is null ? null : ReIdColumnNames.View;
        }
        var model = ml.Transforms.ReIdEmbed(ReIdColumnNames.Features, options, ReIdColumnNames.ImagePath).Fit(input);
        AtomicFile.Write(zipPath, stream => ml.Model.Save(model, input.Schema, stream));
    }

    /// <summary>Loads a saved pipeline in a new context as an embedder of image paths (and cameras/views when the model uses them).</summary>
    public static IImageEmbedder Open(string zipPath) => new SavedPipelineEmbedder(zipPath, ReIdColumnNames.Features, ReIdColumnNames.ImagePath);

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class IdRow
    {
        public string ImagePath { get; set; } = "";
        public int Camera { get; set; }
        public int View { get; set; }
    }
}
