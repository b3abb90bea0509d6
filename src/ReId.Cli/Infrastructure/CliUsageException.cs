namespace ReId.Cli.Infrastructure;

/// <summary>Bad command-line input: exit code 2 with the message, never a stack trace.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
