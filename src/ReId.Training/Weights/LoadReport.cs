namespace ReId.Training.Weights;

/// <summary>Result of loading weights into a module: which module keys had no weight, which weights had no key.</summary>
public sealed record LoadReport(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every parameter and buffer was filled and every tensor used.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;

    /// <summary>
    /// The one check after loading a pretrained tower: when any module key had no weight, disposes <paramref name="model"/> and throws an
    /// <see cref="InvalidDataException"/> "<paramref name="source"/> lacks tensors <paramref name="consumer"/> needs: …" (the first five).
    /// </summary>
    /// <returns><paramref name="model"/>, for chaining after a load.</returns>
    public T RequireComplete<T>(T model, string source, string consumer) where T : IDisposable
    {
        if (MissingKeys.Count == 0) return model;
        model.Dispose();
        throw new InvalidDataException($"{source} lacks tensors {consumer} needs: {string.Join(", ", MissingKeys.Take(5))}");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"missing: [{string.Join(", ", MissingKeys)}]; unexpected: [{string.Join(", ", UnexpectedKeys)}]";
}
