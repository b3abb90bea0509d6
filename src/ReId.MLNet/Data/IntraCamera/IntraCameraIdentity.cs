namespace ReId.MLNet.Data.IntraCamera;

/// <summary>One identity as intra-camera supervision labels it: a person seen by one camera, numbered inside that camera.</summary>
/// <param name="Index">Position among all intra-camera identities (camera-major); the training label of its images.</param>
/// <param name="Camera">The camera (as the dataset numbers it).</param>
/// <param name="LocalLabel">0-based number of this identity inside <paramref name="Camera"/>.</param>
/// <param name="Images">Training images of this identity in this camera.</param>
public sealed record IntraCameraIdentity(int Index, int Camera, int LocalLabel, int Images);
