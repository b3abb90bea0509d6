using System.Net;
using System.Net.Sockets;

namespace ReId.Storage.Tests;

/// <summary>
/// A TCP relay between a client and the server that drops the connection (both sockets closed, no goodbye message) once the client
/// has sent a given number of bytes: the server sees a client vanish mid-transaction, as with a network failure or a killed writer.
/// </summary>
/// <remarks>pg_terminate_backend cannot do this on PGlite, whose connections all share one backend process.</remarks>
public sealed class CuttableProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly long _cutAfterBytes;
    private long _sent;

    public CuttableProxy(int targetPort, long cutAfterBytes)
    {
        _target = targetPort;
        _cutAfterBytes = cutAfterBytes;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public bool Cut { get; private set; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _target);
                _ = RelayAsync(client, server, countAndCut: true);
                _ = RelayAsync(server, client, countAndCut: false);
            }
        }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    private async Task RelayAsync(TcpClient from, TcpClient to, bool countAndCut)
    {
        var buffer = new byte[16384];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                int n = await input.ReadAsync(buffer);
                if (n == 0) break;
                if (countAndCut && Interlocked.Add(ref _sent, n) > _cutAfterBytes)
                {
                    Cut = true;
                    break;
                }
                await output.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        from.Close();
        to.Close();
    }

    public void Dispose() => _listener.Stop();
}
