namespace ReId.MLNet.Data;

/// <summary>
/// The column names every part of the project uses by default (dataset views, ML.NET stages, trainers, saved <c>.zip</c> models),
/// in one place so a pipeline built from pieces agrees on them. Each stage still takes other names where a user has them.
/// </summary>
public static class ReIdColumnNames
{
    /// <summary>The image file path (text).</summary>
    public const string ImagePath = nameof(ReIdImageRow.ImagePath);

    /// <summary>The dataset's identity id (Int32).</summary>
    public const string Identity = nameof(ReIdImageRow.Identity);

    /// <summary>The dataset's camera id (Int32).</summary>
    public const string Camera = nameof(ReIdImageRow.Camera);

    /// <summary>The dataset's view (viewpoint) id (Int32), for models with view embeddings.</summary>
    public const string View = "View";

    /// <summary>The outfit id of clothes-changing datasets (Int32).</summary>
    public const string Clothes = nameof(ReIdImageRow.Clothes);

    /// <summary>The embedding (float vector).</summary>
    public const string Features = "Features";
}
