namespace ReId.MLNet.Data.Synthetic;

/// <summary>Settings of <see cref="SyntheticDatasetGenerator.Generate"/>; zero/null values mean "the format's default".</summary>
public sealed class SyntheticDatasetOptions
{
    /// <summary>The dataset layouts the generator writes (the values of <see cref="Format"/>).</summary>
    public static IReadOnlyList<string> Formats { get; } = ["market1501", "veri776", "msmt17", "ltcc", "prcc", "vehicleid", "veriwild", "csv"];

    /// <summary>What a layout holds unless told otherwise: vehicles for the vehicle layouts (veri776, vehicleid, veriwild), else persons.</summary>
    public static SyntheticKind DefaultKind(string format) =>
        format.Trim().ToLowerInvariant() is "veri776" or "vehicleid" or "veriwild" ? SyntheticKind.Vehicle : SyntheticKind.Person;

    /// <summary>Persons or vehicles.</summary>
    public SyntheticKind Kind { get; set; } = SyntheticKind.Person;

    /// <summary>Dataset layout: one of <see cref="Formats"/>.</summary>
    public string Format { get; set; } = "market1501";

    /// <summary>Total identities; the first half (rounded up) are training identities, the rest test identities.</summary>
    public int Identities { get; set; } = 100;

    /// <summary>Number of cameras; 0 means the default (6 for persons, 8 for vehicles, 12 for ltcc, 15 for msmt17;
    /// prcc always has its three cameras A, B, C).</summary>
    public int Cameras { get; set; }

    /// <summary>Range (inclusive) of the number of images of one identity in one camera it appears in; each identity appears in
    /// 2 to <see cref="Cameras"/> cameras. Test identities get at least 2 per camera (one query, at least one gallery image).</summary>
    public (int Min, int Max) ImagesPerIdentityPerCamera { get; set; } = (2, 4);

    /// <summary>Seed: the same options and seed give byte-identical files.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Outfits per person (the clothes id of clothes-changing layouts); body, hair, shoes and bag stay fixed across outfits.
    /// prcc always uses at least two (cameras A and B see one outfit, C another).</summary>
    public int ClothesChanges { get; set; } = 1;

    /// <summary>Distractor images in the gallery (identity 0 in market1501); -1 means the default (about 5% of the gallery).</summary>
    public int Distractors { get; set; } = -1;

    /// <summary>Image height in pixels; 0 means the format's default (128 for persons; about 128 for vehicles, varying per camera).</summary>
    public int ImageHeight { get; set; }

    /// <summary>Image width in pixels; 0 means the format's default (64 for persons; about 128 for vehicles, varying per camera).</summary>
    public int ImageWidth { get; set; }

    /// <summary>JPEG quality (1–100) for JPEG layouts.</summary>
    public int JpegQuality { get; set; } = 90;

    /// <summary>Replace an existing non-empty output folder instead of failing.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Degree of parallelism; 0 means all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; }
}
