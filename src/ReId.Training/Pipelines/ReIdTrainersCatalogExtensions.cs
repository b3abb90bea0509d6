using ReId.MLNet.Data;
using ReId.MLNet.Pipelines;
using ReId.Training.Recipes;

namespace ReId.Training.Pipelines;

/// <summary>ReID trainers on <c>mlContext.ReId().Trainers</c>.</summary>
public static class ReIdTrainersCatalogExtensions
{
    /// <summary>The bag-of-tricks baseline (BNNeck, CE with label smoothing + batch-hard triplet, warm-up, random erasing) on the given backbone.</summary>
    public static ReIdTrainerEstimator BagOfTricks(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = ReIdColumnNames.ImagePath, string identityColumnName = ReIdColumnNames.Identity, string? cameraColumnName = ReIdColumnNames.Camera,
        string featureColumnName = ReIdColumnNames.Features, string recipe = "bot", int? epochs = null, string? backbone = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "bot") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; BagOfTricks takes bot or bot-small", nameof(recipe));
        if (epochs is { } e) training.Epochs = e;
        if (backbone is not null) training.Backbone = backbone;
        return catalog.BagOfTricks(Options(runDirectory, imagePathColumnName, identityColumnName, cameraColumnName, featureColumnName, training, log));
    }

    /// <summary>The bag-of-tricks trainer with every setting in <paramref name="options"/>.</summary>
    public static ReIdTrainerEstimator BagOfTricks(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ReIdTrainerEstimator(catalog.Context, options);
    }

    /// <summary>
    /// CLIP-ReID: stage 1 learns per-identity prompt tokens for the CLIP text encoder, stage 2 fine-tunes the image encoder
    /// with ID + triplet losses and the image-to-text cross-entropy. <paramref name="clipWeights"/> (a CLIP safetensors file with
    /// both towers) needs <paramref name="clipVocabulary"/>; without weights the recipe's network starts from random weights.
    /// </summary>
    public static ReIdTrainerEstimator ClipReId(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = ReIdColumnNames.ImagePath, string identityColumnName = ReIdColumnNames.Identity, string? cameraColumnName = ReIdColumnNames.Camera,
        string featureColumnName = ReIdColumnNames.Features, string recipe = "clip-reid", string? clipWeights = null, string? clipVocabulary = null,
        int? stage1Epochs = null, int? epochs = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "clip-reid") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; ClipReId takes clip-reid or clip-reid-small", nameof(recipe));
        if (clipWeights is not null) training.PretrainedWeights = clipWeights;
        if (clipVocabulary is not null) training.ClipVocabularyFile = clipVocabulary;
        if (stage1Epochs is { } s1) training.Stage1Epochs = s1;
        if (epochs is { } e) training.Epochs = e;
        return catalog.ClipReId(Options(runDirectory, imagePathColumnName, identityColumnName, cameraColumnName, featureColumnName, training, log));
    }

    /// <summary>The CLIP-ReID trainer with every setting in <paramref name="options"/> (its Training must use the clip-reid method).</summary>
    public static ReIdTrainerEstimator ClipReId(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Training.Method != "clip-reid")
            throw new ArgumentException($"Training.Method is '{options.Training.Method}'; ClipReId needs 'clip-reid' (start from TrainingRecipes.Get(\"clip-reid\"))", nameof(options));
        return new ReIdTrainerEstimator(catalog.Context, options);
    }

    /// <summary>
    /// CCAFL: intra-camera supervised training (identities labelled per camera; the Identity column is read as the person
    /// only to form per-camera identities — the trainer never sees who is who across cameras). Without
    /// <paramref name="clipWeights"/> the recipe must be ccafl-small (random weights).
    /// </summary>
    public static ReIdTrainerEstimator Ccafl(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = ReIdColumnNames.ImagePath, string identityColumnName = ReIdColumnNames.Identity, string cameraColumnName = ReIdColumnNames.Camera,
        string featureColumnName = ReIdColumnNames.Features, string recipe = "ccafl", string? clipWeights = null, int? epochs = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "ccafl") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; Ccafl takes ccafl or ccafl-small", nameof(recipe));
        if (clipWeights is not null) training.PretrainedWeights = clipWeights;
        if (epochs is { } e) training.Epochs = e;
        training.Supervision = MLNet.Data.IntraCamera.IntraCameraSupervision.Name;
        return catalog.Ccafl(Options(runDirectory, imagePathColumnName, identityColumnName, cameraColumnName, featureColumnName, training, log));
    }

    /// <summary>The CCAFL trainer with every setting in <paramref name="options"/> (its Training must use the ccafl method and intra-camera supervision).</summary>
    public static ReIdTrainerEstimator Ccafl(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Training.Method != "ccafl")
            throw new ArgumentException($"Training.Method is '{options.Training.Method}'; Ccafl needs 'ccafl' (start from TrainingRecipes.Get(\"ccafl-small\"))", nameof(options));
        return new ReIdTrainerEstimator(catalog.Context, options);
    }

    /// <summary>
    /// CLIP-SENet (vehicle ReID): an IBN ResNet appearance branch fused with a frozen CLIP image encoder's embedding refined
    /// by AFEM, trained with CE-LS + SupCon. <paramref name="clipWeights"/> is SEM's CLIP file (required by the clip-senet
    /// recipe; clip-senet-small starts from a random SEM); <paramref name="groups"/> is AFEM's G.
    /// </summary>
    public static ReIdTrainerEstimator ClipSeNet(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = ReIdColumnNames.ImagePath, string identityColumnName = ReIdColumnNames.Identity, string? cameraColumnName = ReIdColumnNames.Camera,
        string featureColumnName = ReIdColumnNames.Features, string recipe = "clip-senet", string? clipWeights = null, int? groups = null,
        int? epochs = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "clip-senet") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; ClipSeNet takes clip-senet or clip-senet-small", nameof(recipe));
        var section = training.SectionAs<Methods.ClipSeNet.ClipSeNetOptions>();
        if (clipWeights is not null) section.ClipWeights = clipWeights;
        if (groups is { } g) section.Groups = g;
        if (epochs is { } e) training.Epochs = e;
        return catalog.ClipSeNet(Options(runDirectory, imagePathColumnName, identityColumnName, cameraColumnName, featureColumnName, training, log));
    }

    /// <summary>The CLIP-SENet trainer with every setting in <paramref name="options"/> (its Training must use the clip-senet method).</summary>
    public static ReIdTrainerEstimator ClipSeNet(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Training.Method != "clip-senet")
            throw new ArgumentException($"Training.Method is '{options.Training.Method}'; ClipSeNet needs 'clip-senet' (start from TrainingRecipes.Get(\"clip-senet-small\"))", nameof(options));
        return new ReIdTrainerEstimator(catalog.Context, options);
    }

    /// <summary>
    /// CSGN (clothes-changing person ReID): RGB and grey prompt banks learnt in stage 1, then a CLIP RN50 and a CLIP ViT trained
    /// side by side with their fused feature constrained by both banks (docs/methods/csgn.md). <paramref name="clipWeights"/>
    /// (CLIP ViT-B/16 with its text tower), <paramref name="resNetWeights"/> (CLIP RN50) and <paramref name="clipVocabulary"/>
    /// go together; without them the recipe's networks start from random weights.
    /// </summary>
    public static ReIdTrainerEstimator Csgn(this ReIdTrainersCatalog catalog, string runDirectory,
        string imagePathColumnName = ReIdColumnNames.ImagePath, string identityColumnName = ReIdColumnNames.Identity, string? cameraColumnName = ReIdColumnNames.Camera,
        string featureColumnName = ReIdColumnNames.Features, string recipe = "csgn", string? clipWeights = null, string? resNetWeights = null,
        string? clipVocabulary = null, int? stage1Epochs = null, int? epochs = null, TextWriter? log = null)
    {
        var training = TrainingRecipes.Get(recipe);
        if (training.Method != "csgn") throw new ArgumentException($"recipe '{recipe}' is a {training.Method} recipe; Csgn takes csgn or csgn-small", nameof(recipe));
        if (clipWeights is not null) training.PretrainedWeights = clipWeights;
        if (resNetWeights is not null) training.SectionAs<Methods.Csgn.CsgnOptions>().ResNetWeights = resNetWeights;
        if (clipVocabulary is not null) training.ClipVocabularyFile = clipVocabulary;
        if (stage1Epochs is { } s1) training.Stage1Epochs = s1;
        if (epochs is { } e) training.Epochs = e;
        return catalog.Csgn(Options(runDirectory, imagePathColumnName, identityColumnName, cameraColumnName, featureColumnName, training, log));
    }

    /// <summary>The CSGN trainer with every setting in <paramref name="options"/> (its Training must use the csgn method).</summary>
    public static ReIdTrainerEstimator Csgn(this ReIdTrainersCatalog catalog, ReIdTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Training.Method != "csgn")
            throw new ArgumentException($"Training.Method is '{options.Training.Method}'; Csgn needs 'csgn' (start from TrainingRecipes.Get(\"csgn\"))", nameof(options));
        return new ReIdTrainerEstimator(catalog.Context, options);
    }

    private static ReIdTrainerOptions Options(string runDirectory, string imagePathColumnName, string identityColumnName, string? cameraColumnName,
        string featureColumnName, TrainingOptions training, TextWriter? log) => new()
    {
        RunDirectory = runDirectory, ImagePathColumnName = imagePathColumnName, IdentityColumnName = identityColumnName,
        CameraColumnName = cameraColumnName, FeatureColumnName = featureColumnName, Training = training, Log = log,
    };
}
