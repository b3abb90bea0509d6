namespace ReId.MLNet.Data;

/// <summary>Bad input data: a missing folder or file, a malformed name or an unreadable image. The message names the file and what was expected.</summary>
public sealed class ReIdDataException : Exception
{
    public ReIdDataException(string message) : base(message) { }
    public ReIdDataException(string message, Exception inner) : base(message, inner) { }
}
