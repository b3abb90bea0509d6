namespace ReId.MLNet.Data;

/// <summary>One image of a ReID dataset: where it is and whom, where and (optionally) in what clothes it shows.</summary>
/// <param name="ImagePath">Absolute path of the image file.</param>
/// <param name="Identity">The dataset's original identity id (0 = distractor in Market-style galleries).</param>
/// <param name="Camera">Camera index as the dataset numbers it (1-based in most formats); -1 when the format has no cameras.</param>
/// <param name="Split">Train, query or gallery.</param>
/// <param name="Clothes">Clothes id for clothes-changing formats, otherwise -1.</param>
/// <param name="Label">Contiguous 0-based training label of <paramref name="Identity"/> within its split (-1 when not assigned).</param>
/// <param name="View">Viewpoint id where the format has one (the csv layout's optional <c>view</c> column), otherwise -1.</param>
public sealed record ReIdSample(string ImagePath, int Identity, int Camera, DatasetSplit Split, int Clothes = -1, int Label = -1, int View = -1);
