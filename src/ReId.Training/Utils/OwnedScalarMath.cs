using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Utils;

/// <summary>
/// Tensor arithmetic with .NET numbers in which every <see cref="Scalar"/> has an owner that outlives the native call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a number into a <see cref="Scalar"/> (a native <c>c10::Scalar</c> freed by the Scalar's
/// finaliser), passes only its handle to libtorch and keeps no reference to it: a garbage collection during the call
/// finalises the Scalar and libtorch reads freed memory — the random <c>c10::Scalar::toFloat</c> failure in
/// <c>THSTensor_add</c> of issue 17. <c>Tensor + Tensor</c> is affected too: <c>add(Tensor)</c> passes an implicit alpha
/// of 1. Here constants are static (rooted for the life of the process) and other values are <c>using</c> locals, disposed
/// only after the call returns. Each method computes exactly what the TorchSharp operator it replaces computes.
/// <c>ScalarOwnershipTests</c> keeps the training code on these.
/// </remarks>
public static class OwnedScalarMath
{
    /// <summary>The alpha TorchSharp's <c>add(Tensor)</c> passes (an int 1), never collected.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>a + b (TorchSharp's <c>a + b</c>).</summary>
    public static Tensor Add(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a + alpha·b.</summary>
    public static Tensor Add(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add(b, s);
    }

    /// <summary>In place: a += b.</summary>
    public static Tensor AddInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>t + value (TorchSharp's <c>t + value</c>).</summary>
    public static Tensor Add(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        return t.add(s, One);
    }

    /// <summary>t − value.</summary>
    public static Tensor Sub(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        return t.sub(s);
    }

    /// <summary>value − t (TorchSharp's <c>value - t</c>: −t + value).</summary>
    public static Tensor SubtractFrom(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        using var negative = t.negative();
        return negative.add(s, One);
    }

    /// <summary>t · factor.</summary>
    public static Tensor Mul(this Tensor t, double factor)
    {
        using var s = factor.ToScalar();
        return t.mul(s);
    }

    /// <summary>In place: t ·= factor.</summary>
    public static Tensor MulInPlace(this Tensor t, double factor)
    {
        using var s = factor.ToScalar();
        return t.mul_(s);
    }

    /// <summary>t / divisor.</summary>
    public static Tensor Div(this Tensor t, double divisor)
    {
        using var s = divisor.ToScalar();
        return t.div(s);
    }

    /// <summary>t ^ exponent (an integral exponent is passed as an integer Scalar, as <c>t.pow(2)</c> does).</summary>
    public static Tensor Pow(this Tensor t, double exponent)
    {
        using var s = exponent == Math.Floor(exponent) && Math.Abs(exponent) <= int.MaxValue ? ((int)exponent).ToScalar() : exponent.ToScalar();
        return t.pow(s);
    }

    /// <summary>max(t, min).</summary>
    public static Tensor ClampMin(this Tensor t, double min)
    {
        using var s = min.ToScalar();
        return t.clamp_min(s);
    }

    /// <summary>t clamped to [min, max].</summary>
    public static Tensor Clamp(this Tensor t, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return t.clamp(lo, hi);
    }

    /// <summary>t with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFill(this Tensor t, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return t.masked_fill(mask, s);
    }

    /// <summary>t &gt; value, element-wise.</summary>
    public static Tensor Gt(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        return t.gt(s);
    }

    /// <summary>t &gt;= value, element-wise.</summary>
    public static Tensor Ge(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        return t.ge(s);
    }

    /// <summary>
    /// softplus(t) = log(1 + eˣ) with beta 1 and no threshold, as log(e⁰ + eˣ): TorchSharp's <c>softplus</c> converts beta
    /// and threshold to Scalars it does not keep. Differs from libtorch's (which returns x itself above 20) by float rounding only.
    /// </summary>
    public static Tensor Softplus(this Tensor t)
    {
        using var zero = torch.zeros_like(t);
        return t.logaddexp(zero);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/> (<c>torch.full</c>).</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var s = dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte ? ((long)value).ToScalar() : value.ToScalar();
        return torch.full(shape, s, dtype, device);
    }

    /// <summary>[start, stop) in steps of 1 (<c>torch.arange</c>).</summary>
    public static Tensor Arange(long start, long stop, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        using var step = 1L.ToScalar();
        return torch.arange(from, to, step, dtype, device);
    }
}
