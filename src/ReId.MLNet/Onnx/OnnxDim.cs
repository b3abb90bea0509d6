namespace ReId.MLNet.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a symbolic name such as "batch".</summary>
public readonly struct OnnxDim : IEquatable<OnnxDim>
{
    private OnnxDim(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null when the dimension is symbolic.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name, or null when the dimension is fixed.</summary>
    public string? Symbol { get; }

    /// <summary>True when the dimension has a fixed size.</summary>
    public bool IsFixed => Value.HasValue;

    /// <summary>A fixed dimension.</summary>
    public static OnnxDim Fixed(long value)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(nameof(value), value, "An ONNX dimension must be 0 or more.");
        return new OnnxDim(value, null);
    }

    /// <summary>A symbolic (dynamic) dimension.</summary>
    public static OnnxDim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDim(null, name);
    }

    public static implicit operator OnnxDim(long value) => Fixed(value);

    public static implicit operator OnnxDim(string name) => Symbolic(name);

    public bool Equals(OnnxDim other) => Value == other.Value && Symbol == other.Symbol;

    public override bool Equals(object? obj) => obj is OnnxDim other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Value, Symbol);

    public static bool operator ==(OnnxDim left, OnnxDim right) => left.Equals(right);

    public static bool operator !=(OnnxDim left, OnnxDim right) => !left.Equals(right);

    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
