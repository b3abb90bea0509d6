using ReId.MLNet.Data;
using ReId.Training.Recipes;

namespace ReId.Training.Pipelines;

/// <summary>Options of the ML.NET ReID trainer estimators.</summary>
public sealed class ReIdTrainerOptions
{
    /// <summary>Column of image file paths.</summary>
    public string ImagePathColumnName { get; set; } = ReIdColumnNames.ImagePath;
    /// <summary>Column of identity ids (any integer type).</summary>
    public string IdentityColumnName { get; set; } = ReIdColumnNames.Identity;
    /// <summary>Column of camera ids (any integer type); null when the data has none.</summary>
    public string? CameraColumnName { get; set; } = ReIdColumnNames.Camera;
    /// <summary>Output column of the fitted transformer: the L2-normalised embedding.</summary>
    public string FeatureColumnName { get; set; } = ReIdColumnNames.Features;
    /// <summary>Folder for checkpoints, metrics, model package, model.zip and report.md.</summary>
    public string RunDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "reid-runs", Guid.NewGuid().ToString("N"));
    /// <summary>Training settings; defaults to the "bot" recipe.</summary>
    public TrainingOptions Training { get; set; } = TrainingRecipes.Get("bot");
    /// <summary>Where progress lines go (null = nowhere).</summary>
    public TextWriter? Log { get; set; }
}
