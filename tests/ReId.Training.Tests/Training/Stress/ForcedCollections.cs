namespace ReId.Training.Tests.Training.Stress;

/// <summary>
/// A background thread that runs <c>GC.Collect(); GC.WaitForPendingFinalizers();</c> in a loop until stopped, so that
/// any object left to the finaliser is collected and finalised at the worst possible moment.
/// </summary>
/// <remarks>
/// REID_STRESS_GC_PAUSE_MS=N sleeps N ms between collections. Back-to-back collections stop the training thread at almost
/// every return from native code, which made a bag-of-tricks step several times slower (measured, 426 steps: 93 s with a
/// 10 ms pause, 78 s with 50 ms; 34 steps back to back took 90–109 s); a pause trades collections per step for steps per
/// minute. A negative value forces none, to measure the harness's own cost.
/// </remarks>
public sealed class ForcedCollections : IDisposable
{
    private readonly Thread _thread;
    private readonly int _pauseMilliseconds;
    private volatile bool _stop;
    private long _count;

    public ForcedCollections()
    {
        _pauseMilliseconds = int.TryParse(Environment.GetEnvironmentVariable("REID_STRESS_GC_PAUSE_MS"), out var pause) ? pause : 0;
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
            if (_pauseMilliseconds < 0)
            {
                Thread.Sleep(50);
                continue;
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _count);
            if (_pauseMilliseconds > 0) Thread.Sleep(_pauseMilliseconds);
        }
    }
}
