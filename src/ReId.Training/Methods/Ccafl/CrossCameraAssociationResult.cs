namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// Pseudo global identities from one cross-camera association: <see cref="ClusterOfIdentity"/> maps each intra-camera
/// identity to its pseudo identity (0..<see cref="Clusters"/>−1) or −1 when it was left unlinked.
/// </summary>
public sealed record CrossCameraAssociationResult(int[] ClusterOfIdentity, int Clusters, IReadOnlyList<(int A, int B)> Links, int CandidatePairs);
