namespace ReId.MLNet.Pipelines;

/// <summary>Which code runs an ONNX model package over image files (<see cref="ImageEmbedders.Open"/>).</summary>
public enum EmbeddingEngine
{
    /// <summary><see cref="Batched"/> when a GPU is asked for, else <see cref="MlNet"/> (measured faster on CPU: ML.NET decodes images in parallel).</summary>
    Auto,
    /// <summary>The <c>ReIdEmbed</c> chain of ML.NET stages (<see cref="MlNetChainEmbedder"/>).</summary>
    MlNet,
    /// <summary>Batched ONNX Runtime calls (<see cref="OnnxEmbedder"/>).</summary>
    Batched,
}
