using Microsoft.ML;

namespace ReId.MLNet.Pipelines;

/// <summary>Adds <c>mlContext.ReId()</c>.</summary>
public static class MLContextReIdExtensions
{
    /// <summary>The ReID catalog of this context: evaluation and trainers.</summary>
    public static ReIdCatalog ReId(this MLContext context) => new(context);
}
