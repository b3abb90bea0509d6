using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReId.Storage.Tests;

/// <summary>
/// A real PostgreSQL with pgvector for the tests: the server named by REID_PG_CONNECTION, or else PGlite's socket server (PostgreSQL
/// compiled to WebAssembly) started here on a free port from the npm folder that <c>.ci/run</c> fills (<c>.ci/pglite</c>).
/// </summary>
/// <remarks>
/// With neither available the fixture fails rather than skips: CI installs PGlite, so a skip would hide a broken setup behind a green
/// run. The message says how to install it.
/// </remarks>
public sealed class PostgresServerFixture : IDisposable
{
    public const string ConnectionVariable = "REID_PG_CONNECTION";
    private const string ServerScript = "node_modules/@electric-sql/pglite-socket/dist/scripts/server.js";
    private readonly Process? _server;
    private readonly StringBuilder _log = new();

    public PostgresServerFixture()
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }
        string folder = FindPgliteFolder() ?? throw new InvalidOperationException(
            $"no PostgreSQL for the ReId.Storage tests: set {ConnectionVariable} to a PostgreSQL + pgvector connection string, or install PGlite " +
            "with 'npm i --prefix .ci/pglite @electric-sql/pglite-socket@0.2.17 @electric-sql/pglite-pgvector@0.0.15' in the repository (.ci/run does)");
        Port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // -m: several connections at once (a search and a count, the test's second session); PGlite still runs one statement at a time.
        foreach (string a in new[] { ServerScript, "-p", Port.ToString(), "-m", "8", "-e", "@electric-sql/pglite-pgvector:vector" })
            start.ArgumentList.Add(a);
        var listening = new TaskCompletionSource();
        _server = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (_log) _log.AppendLine(e.Data);
            if (e.Data.Contains("listening", StringComparison.OrdinalIgnoreCase)) listening.TrySetResult();
        }
        _server.OutputDataReceived += OnLine;
        _server.ErrorDataReceived += OnLine;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        // PGlite compiles PostgreSQL's WebAssembly at start: about 10 s here, more when the machine is busy.
        if (!listening.Task.Wait(TimeSpan.FromSeconds(120)) || _server.HasExited)
        {
            Dispose();
            throw new InvalidOperationException($"PGlite's server in '{folder}' did not start listening on port {Port}:\n{Log}");
        }
        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Timeout=60;Command Timeout=300";
    }

    public string ConnectionString { get; }
    public int Port { get; }
    public bool IsPglite => _server is not null;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>A table name no other test uses.</summary>
    public static string NewTable(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 13)];

    public void Dispose()
    {
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
    }

    private static string? FindPgliteFolder()
    {
        if (Environment.GetEnvironmentVariable("REID_PGLITE_DIR") is { Length: > 0 } dir)
            return File.Exists(Path.Combine(dir, ServerScript)) ? dir : null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, ".ci", "pglite");
            if (File.Exists(Path.Combine(candidate, ServerScript))) return candidate;
        }
        return null;
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
