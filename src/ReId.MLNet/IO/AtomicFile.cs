namespace ReId.MLNet.IO;

/// <summary>Writes a file through a temporary sibling and a rename, so readers never see half a file.</summary>
/// <remarks>
/// A write that fails (disk full, I/O error, a killed process) leaves the previous file untouched: the temporary file is deleted
/// and the rename never happens. The temporary file is flushed to disk before the rename, so after a crash the new name never
/// points at data the disk has not received. Tests simulate failing disks through <see cref="StreamFactory"/>.
/// </remarks>
internal static class AtomicFile
{
    private static readonly AsyncLocal<Func<string, Stream>?> Factory = new();

    /// <summary>
    /// Opens the temporary file (default: a new <see cref="FileStream"/>). Set by tests to inject faults; it is async-local, so it
    /// affects only the flow that set it and never a test running in parallel.
    /// </summary>
    internal static Func<string, Stream>? StreamFactory
    {
        get => Factory.Value;
        set => Factory.Value = value;
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var factory = StreamFactory;
            using (var stream = factory?.Invoke(tmp) ?? new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                write(stream); // the callback may close the stream itself (a BinaryWriter without leaveOpen)
            if (factory is null)
                using (var synced = new FileStream(tmp, FileMode.Open, FileAccess.Write))
                    synced.Flush(flushToDisk: true); // fsync: the data is on disk before the new name points at it
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
