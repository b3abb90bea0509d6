namespace ReId.MLNet.Pipelines;

/// <summary>Options of <c>SemanticEnhance</c>: a float vector → float vector ONNX module (such as CLIP-SENet's AFEM) applied to a column.</summary>
public sealed class SemanticEnhanceOptions
{
    /// <summary>The enhanced vector's column. Required.</summary>
    public string OutputColumnName { get; set; } = "";

    /// <summary>The input vector's column; null = <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The ONNX module; its single input is [batch, D] or [D]. Required.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Which model output is the result when it has several; null = the only one.</summary>
    public string? ModelOutputName { get; set; }

    /// <summary>CUDA device for ONNX Runtime; null = CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Run on the CPU when the CUDA device is not available instead of failing.</summary>
    public bool FallbackToCpu { get; set; } = true;
}
