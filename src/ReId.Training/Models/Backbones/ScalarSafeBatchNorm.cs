using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// BatchNorm1d/2d with TorchSharp's parameters, buffers, names and arithmetic, whose training forward counts
/// <c>num_batches_tracked</c> with owned Scalars: TorchSharp 0.107's <c>BatchNorm.forward</c> runs
/// <c>num_batches_tracked.add_(1)</c>, two implicit Scalars a garbage collection can free during the native call (issue 17).
/// </summary>
public sealed class ScalarSafeBatchNorm : BatchNorm
{
    private readonly int _spatialDims;

    private ScalarSafeBatchNorm(long features, int spatialDims, double eps, double momentum, string name)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name) => _spatialDims = spatialDims;

    /// <summary>Over [N, C] or [N, C, L] (as <c>nn.BatchNorm1d</c>).</summary>
    public static ScalarSafeBatchNorm For1d(long features, double eps = 1e-5, double momentum = 0.1) => new(features, 1, eps, momentum, nameof(BatchNorm1d));

    /// <summary>Over [N, C, H, W] (as <c>nn.BatchNorm2d</c>).</summary>
    public static ScalarSafeBatchNorm For2d(long features, double eps = 1e-5, double momentum = 0.1) => new(features, 2, eps, momentum, nameof(ScalarSafeBatchNorm));

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is { } tracked)
        {
            tracked.add_(OwnedScalarMath.One, OwnedScalarMath.One);
            // With no momentum libtorch takes a cumulative average (1 / batches seen), as TorchSharp does.
            if (momentum is null) factor = 1.0 / tracked.item<long>();
        }
        bool useStatistics = !training || track_running_stats;
        bool batchStatistics = training || (running_mean is null && running_var is null);
        return nn.functional.batch_norm(input, useStatistics ? running_mean : null, useStatistics ? running_var : null, weight, bias, batchStatistics, factor, eps);
    }

    /// <inheritdoc/>
    protected override void ValidateInputDimensions(Tensor input)
    {
        bool ok = _spatialDims == 1 ? input.ndim is 2 or 3 : input.ndim == 4;
        if (!ok)
            throw new ArgumentException($"expected {(_spatialDims == 1 ? "2D or 3D" : "4D")} input, but got {input.ndim}D input.");
    }
}
