using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text.Json;

namespace ReId.MLNet.Visualization;

/// <summary>
/// Loads the ScottPlot renderer (ReId.Plotting with ScottPlot 5.1 and SkiaSharp 3) into an assembly load context of its
/// own, apart from the SkiaSharp 2.88 that ML.NET's image stages need in the default context.
/// </summary>
/// <remarks>
/// Why: ML.NET 5.0.1's <c>MLImage.Pixels</c> calls <c>ReadOnlySpan&lt;byte&gt; SKBitmap.GetPixelSpan()</c>, which SkiaSharp
/// 3 changed to return <c>Span&lt;byte&gt;</c> (dotnet/machinelearning#7413, still open), so <c>ExtractPixels</c> throws
/// MissingMethodException under SkiaSharp 3; and ScottPlot 5.1.59 is built against SkiaSharp 3.119, which cannot be
/// swapped for 2.88. The renderer ships zipped inside this assembly (so it works the same from a project reference, a
/// NuGet package or a notebook's <c>#r "nuget: ..."</c>), is unpacked once per content hash under the temporary folder,
/// and is resolved through its own deps.json, native libSkiaSharp included. Only strings and byte arrays cross the boundary.
/// </remarks>
internal sealed class PlottingLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<Func<string, byte[]>> Renderer = new(LoadRenderer, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly AssemblyDependencyResolver _resolver;

    private PlottingLoadContext(string mainAssemblyPath) : base("ReId.Plotting", isCollectible: false) =>
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Draws the picture and returns PNG bytes.</summary>
    public static byte[] RenderPng(PlotSpec spec) => Renderer.Value(JsonSerializer.Serialize(spec, Json));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Names the renderer's deps.json lists (ScottPlot, SkiaSharp 3, HarfBuzzSharp) load here; everything else (the
        // BCL) comes from the default context.
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static Func<string, byte[]> LoadRenderer()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
            throw new PlatformNotSupportedException(
                $"ReId.MLNet draws plots on Linux x64 and arm64 only (this is {RuntimeInformation.RuntimeIdentifier}): the embedded ScottPlot renderer carries SkiaSharp 3's native library for those two");
        string directory = Unpack();
        var context = new PlottingLoadContext(Path.Combine(directory, "ReId.Plotting.dll"));
        var assembly = context.LoadFromAssemblyPath(Path.Combine(directory, "ReId.Plotting.dll"));
        var method = assembly.GetType("ReId.Plotting.PlotRenderer", throwOnError: true)!
            .GetMethod("RenderPng", BindingFlags.Public | BindingFlags.Static, [typeof(string)])
            ?? throw new MissingMethodException("ReId.Plotting.PlotRenderer", "RenderPng");
        return method.CreateDelegate<Func<string, byte[]>>();
    }

    /// <summary>Unpacks the embedded renderer into a folder named by its content hash (once; atomically by rename).</summary>
    private static string Unpack()
    {
        var self = typeof(PlottingLoadContext).Assembly;
        using var resource = self.GetManifestResourceStream("ReId.Plotting.zip")
            ?? throw new InvalidOperationException("ReId.MLNet was built without its plotting renderer (resource ReId.Plotting.zip is missing)");
        using var buffer = new MemoryStream();
        resource.CopyTo(buffer);
        string hash = Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))[..16].ToLowerInvariant();
        string root = Path.Combine(Path.GetTempPath(), "reid-mlnet-plotting");
        string target = Path.Combine(root, hash);
        if (File.Exists(Path.Combine(target, "ReId.Plotting.dll"))) return target;

        Directory.CreateDirectory(root);
        string staging = Path.Combine(root, $".{hash}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        buffer.Position = 0;
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true))
            zip.ExtractToDirectory(staging);
        try
        {
            Directory.Move(staging, target);
        }
        catch (IOException) when (File.Exists(Path.Combine(target, "ReId.Plotting.dll")))
        {
            Directory.Delete(staging, recursive: true); // another process unpacked the same renderer first
        }
        return target;
    }
}
