namespace ReId.Training.Weights;

/// <summary>Result of loading weights into a module: which module keys had no weight, which weights had no key.</summary>
public sealed record LoadReport(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every parameter and buffer was filled and every tensor used.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"missing: [{string.Join(", ", MissingKeys)}]; unexpected: [{string.Join(", ", UnexpectedKeys)}]";
}
