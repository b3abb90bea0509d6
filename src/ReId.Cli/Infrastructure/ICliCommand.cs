using System.CommandLine;

namespace ReId.Cli.Infrastructure;

/// <summary>One `reid` command. Implementations are discovered by reflection, so adding a command is adding a file.</summary>
internal interface ICliCommand
{
    /// <summary>Words leading to the command, for example ["dataset", "info"].</summary>
    string[] Path { get; }

    /// <summary>Help text of the command.</summary>
    string Description { get; }

    /// <summary>Adds options/arguments to <paramref name="command"/> and sets its action.</summary>
    void Configure(Command command, CliContext context);
}
