namespace ReId.MLNet.Data.Synthetic;

/// <summary>Images and distinct identities written for one split of a synthetic dataset.</summary>
public sealed record SyntheticSplitCounts(int Images, int Identities, int Cameras);
