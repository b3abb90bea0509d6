using ReId.MLNet.Onnx;
using ReId.Training.Models.Backbones;
using ReId.Training.Weights;

namespace ReId.Training.Onnx;

/// <summary>Exports any supported backbone with safetensors weights (<see cref="Names"/>) to a model package, by name.</summary>
public static class BackbonePackageExporter
{
    /// <summary>The backbones that can be exported: <c>clip-vit</c>, <c>clip-rn50</c> and the ResNets of <see cref="ResNet.Names"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["clip-vit", "clip-rn50", .. ResNet.Names];

    /// <summary>
    /// Writes the package of <paramref name="backbone"/> (case-insensitive) loaded from <paramref name="weightsPath"/> into
    /// <paramref name="packageDirectory"/>; returns it and the load report (tensors of the file the embedding does not use).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown backbone, a last stride other than 1 or 2, or a ResNet without an input size.</exception>
    /// <exception cref="FileNotFoundException">The weights file does not exist.</exception>
    public static (ModelPackage Package, LoadReport Report) Write(string backbone, string weightsPath, string packageDirectory, BackboneExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        options ??= new BackboneExportOptions();
        string name = backbone.ToLowerInvariant();
        if (!Names.Contains(name))
            throw new ArgumentException($"backbone '{backbone}' is not supported; expected one of {string.Join(", ", Names)}", nameof(backbone));
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"weights file '{weightsPath}' does not exist.", weightsPath);
        if (options.LastStride is { } given && given is not (1 or 2))
            throw new ArgumentException($"last stride must be 1 or 2 (got {given})", nameof(options));
        return name switch
        {
            "clip-vit" => ClipPackageExporter.WriteVit(packageDirectory, weightsPath, options.InputSize, options.PatchStride, options.BicubicPositionResize),
            "clip-rn50" => ClipPackageExporter.WriteResNet(packageDirectory, weightsPath, options.InputSize, options.LastStride ?? 2, options.BicubicPositionResize),
            _ when options.InputSize is { } size =>
                ResNetPackageExporter.Write(packageDirectory, name, weightsPath, size.Height, size.Width, (options.LastStride ?? 1) == 1, options.Feature),
            _ => throw new ArgumentException($"an input size is required for '{name}' (e.g. 256x128)", nameof(options)),
        };
    }
}
