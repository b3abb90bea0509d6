namespace ReId.Training.Tests.Training.Stress;

/// <summary>
/// A background thread that runs <c>GC.Collect(); GC.WaitForPendingFinalizers();</c> in a loop until stopped, so that
/// any object left to the finaliser is collected and finalised at the worst possible moment.
/// </summary>
public sealed class ForcedCollections : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _count;

    public ForcedCollections()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "forced collections" };
        _thread.Start();
    }

    /// <summary>Collections forced so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Stops the thread; returns how many collections it forced.</summary>
    public long Stop()
    {
        _stop = true;
        _thread.Join();
        return Count;
    }

    public void Dispose() => Stop();

    private void Loop()
    {
        while (!_stop)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _count);
        }
    }
}
