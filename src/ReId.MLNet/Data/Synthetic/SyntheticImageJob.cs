namespace ReId.MLNet.Data.Synthetic;

/// <summary>One image to render: where it goes and what it shows. <see cref="Subject"/> keys the appearance (distinct for every
/// drawn individual, also when two formats reuse a file-name id); <see cref="Index"/> is unique per (subject, camera).
/// <see cref="Counted"/> is false for images the readers' default protocol leaves out (PRCC's same-clothes queries).</summary>
internal readonly record struct SyntheticImageJob(
    string RelativePath, DatasetSplit Split, int FileIdentity, long Subject, int Camera, int Index, int Outfit, bool Junk,
    int Width, int Height, bool Counted = true);
