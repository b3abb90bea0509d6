using ReId.MLNet.Pipelines;
using ReId.Training.Recipes;

namespace ReId.Training.Pipelines;

/// <summary>ReID trainers on <c>mlContext.ReId().Trainers</c>.</summary>
public static class ReIdTrainersCatalogExtensions
{
    /// <summary>The bag-of-tricks baseline (BNNeck, CE with label smoothing + batch-hard triplet, warm-up, random erasing) on the given backbone.</summary>
    public static ReIdTrainerEstimator BagOfTricks(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = "ImagePath", string identityColumnName = "Identity", string? cameraColumnName = "Camera",
        string featureColumnName = "Features", string recipe = "bot", int? epochs = null, string? backbone = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "bot") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; BagOfTricks takes bot or bot-small", nameof(recipe));
        if (epochs is { } e) training.Epochs = e;
        if (backbone is not null) training.Backbone = backbone;
        return catalog.BagOfTricks(new ReIdTrainerOptions
        {
            RunDirectory = runDirectory, ImagePathColumnName = imagePathColumnName, IdentityColumnName = identityColumnName,
            CameraColumnName = cameraColumnName, FeatureColumnName = featureColumnName, Training = training, Log = log,
        });
    }

    /// <summary>The bag-of-tricks trainer with every setting in <paramref name="options"/>.</summary>
    public static ReIdTrainerEstimator BagOfTricks(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ReIdTrainerEstimator(catalog.Context, options);
    }
}
