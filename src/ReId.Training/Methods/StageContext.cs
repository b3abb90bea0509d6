using ReId.MLNet.Data.Datasets;

namespace ReId.Training.Methods;

/// <summary>What a stage may use: the dataset (training split with trainer labels) and cancellation.</summary>
public sealed record StageContext(ReIdDataset Dataset, CancellationToken CancellationToken);
