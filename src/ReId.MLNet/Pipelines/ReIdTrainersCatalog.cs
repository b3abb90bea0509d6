using Microsoft.ML;

namespace ReId.MLNet.Pipelines;

/// <summary>Holder for ReID trainer extension methods (<c>mlContext.ReId().Trainers.BagOfTricks(...)</c>).</summary>
public sealed class ReIdTrainersCatalog
{
    internal ReIdTrainersCatalog(MLContext context) => Context = context;

    /// <summary>The context the trainers run in.</summary>
    public MLContext Context { get; }
}
