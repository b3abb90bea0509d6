namespace ReId.MLNet.Pipelines;

/// <summary>One model output exposed as a column: its name in the model, the column, and whether it is L2-normalised.</summary>
internal sealed record ImageModelOutput(string Column, string ModelOutput, bool L2Normalize, long? Size = null);
