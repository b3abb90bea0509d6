using Microsoft.ML;

namespace ReId.MLNet.Pipelines;

/// <summary>Entry points that need the <see cref="MLContext"/>: evaluation and trainers (<c>mlContext.ReId()</c>).</summary>
public sealed partial class ReIdCatalog
{
    internal ReIdCatalog(MLContext context)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        Trainers = new ReIdTrainersCatalog(context);
    }

    /// <summary>The context this catalog was created from.</summary>
    public MLContext Context { get; }

    /// <summary>ReID trainers; the TorchSharp package adds them as extension methods.</summary>
    public ReIdTrainersCatalog Trainers { get; }
}
