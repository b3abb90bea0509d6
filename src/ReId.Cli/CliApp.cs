using System.CommandLine;
using System.Reflection;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Data;

namespace ReId.Cli;

/// <summary>Builds the `reid` command tree from every <see cref="ICliCommand"/> and maps failures to exit codes (0 ok, 2 bad input, 1 internal).</summary>
public static class CliApp
{
    public const int Ok = 0, InternalError = 1, BadInput = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new CliContext(stdout, stderr);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"reid: {parse.Errors[0].Message} (see 'reid {string.Join(' ', CommandPath(parse.CommandResult.Command, root))} --help')".Replace("reid  --help", "reid --help"));
            return BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            stderr.WriteLine($"reid: {e.Message}");
            return BadInput;
        }
        catch (ReId.Training.Engine.NonFiniteLossException e)
        {
            // A run that diverged is neither bad input nor a bug of ours: say what happened and how to go on, without "internal error".
            stderr.WriteLine($"reid: training stopped: {e.Message}");
            return InternalError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("reid: cancelled");
            return InternalError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"reid: internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("REID_DEBUG") == "1") stderr.WriteLine(e);
            return InternalError;
        }
    }

    /// <summary>Errors caused by what the user gave us rather than by a bug.</summary>
    private static bool IsBadInput(Exception e) => e is CliUsageException or ReIdDataException or FileNotFoundException
        or DirectoryNotFoundException or ArgumentException or InvalidDataException or FormatException;

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("reid: object re-identification with ML.NET, TorchSharp and ONNX Runtime.");
        var commands = typeof(CliApp).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(ICliCommand).IsAssignableFrom(t))
            .Select(t => (ICliCommand)Activator.CreateInstance(t, nonPublic: true)!)
            .OrderBy(c => string.Join(' ', c.Path), StringComparer.Ordinal);
        foreach (var spec in commands)
        {
            Command parent = root;
            for (int i = 0; i < spec.Path.Length - 1; i++)
            {
                var group = parent.Subcommands.FirstOrDefault(c => c.Name == spec.Path[i]);
                if (group is null)
                {
                    group = new Command(spec.Path[i], $"{spec.Path[i]} commands");
                    parent.Subcommands.Add(group);
                }
                parent = group;
            }
            var command = new Command(spec.Path[^1], spec.Description);
            spec.Configure(command, context);
            parent.Subcommands.Add(command);
        }
        return root;
    }

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        var names = new List<string>();
        void Walk(Command c, List<string> trail)
        {
            if (c == command) { names = [.. trail]; return; }
            foreach (var s in c.Subcommands) { trail.Add(s.Name); Walk(s, trail); trail.RemoveAt(trail.Count - 1); }
        }
        Walk(root, []);
        return names;
    }
}
