namespace ReId.Training.Weights;

/// <summary>
/// Reads a CLIP checkpoint leaving out the entries that are not weights and are often stored as integers
/// (Hugging Face's int64 <c>position_ids</c>, BatchNorm's <c>num_batches_tracked</c>, the <c>input_resolution</c>,
/// <c>context_length</c> and <c>vocab_size</c> scalars of converted OpenAI files), which the float reader would refuse.
/// </summary>
internal static class ClipCheckpointFile
{
    public static SafetensorsFile Read(string path) => SafetensorsFile.Read(path, IsBookkeeping);

    public static bool IsBookkeeping(string name) =>
        name.EndsWith("position_ids", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
        || name is "input_resolution" or "context_length" or "vocab_size";
}
