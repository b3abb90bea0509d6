using Microsoft.ML.Transforms.Image;

namespace ReId.MLNet.Pipelines;

/// <summary>Maps the resize names used in model packages to <see cref="ReIdResizeMode"/> and ML.NET's resizing kinds.</summary>
internal static class ImageResizeModes
{
    /// <summary>
    /// "fill", "bilinear" and "bicubic" all mean stretching to the input size: ML.NET's resizer has one
    /// fixed resampling filter, so the interpolation a package names can only be honoured approximately.
    /// </summary>
    public static ReIdResizeMode Parse(string? text, string context) => (text ?? "fill").Trim().ToLowerInvariant() switch
    {
        "fill" or "bilinear" or "bicubic" or "stretch" => ReIdResizeMode.Fill,
        "isopad" or "pad" => ReIdResizeMode.IsoPad,
        "isocrop" or "crop" => ReIdResizeMode.IsoCrop,
        _ => throw new InvalidDataException($"{context}: unknown resize mode \"{text}\" (expected fill, bilinear, bicubic, isopad or isocrop)."),
    };

    public static ImageResizingEstimator.ResizingKind ToMl(ReIdResizeMode mode) => mode switch
    {
        ReIdResizeMode.Fill => ImageResizingEstimator.ResizingKind.Fill,
        ReIdResizeMode.IsoPad => ImageResizingEstimator.ResizingKind.IsoPad,
        ReIdResizeMode.IsoCrop => ImageResizingEstimator.ResizingKind.IsoCrop,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
