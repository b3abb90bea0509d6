using static TorchSharp.torch;

namespace ReId.Training.Tests.Losses;

/// <summary>Tiny fixed batches and naive reference helpers for the loss tests.</summary>
internal static class LossTestData
{
    // 6 samples, 3 identities × 2, 3-dimensional features.
    public static readonly float[,] Features =
    {
        { 1.0f, 0.2f, -0.3f }, { 0.8f, 0.1f, 0.0f },
        { -0.5f, 1.0f, 0.4f }, { -0.2f, 0.7f, 0.9f },
        { 0.3f, -0.8f, 0.5f }, { 0.0f, -1.1f, -0.2f },
    };

    public static readonly long[] Labels = [0, 0, 1, 1, 2, 2];

    public static Tensor FeatureTensor(bool grad = true) => tensor(Flatten(Features), [6, 3]).requires_grad_(grad);

    public static Tensor LabelTensor() => tensor(Labels);

    public static float[] Flatten(float[,] a)
    {
        var r = new float[a.Length];
        Buffer.BlockCopy(a, 0, r, 0, a.Length * sizeof(float));
        return r;
    }

    public static double Euclid(float[,] f, int i, int j)
    {
        double s = 0;
        for (int d = 0; d < f.GetLength(1); d++)
        {
            s += (f[i, d] - f[j, d]) * (double)(f[i, d] - f[j, d]);
        }

        return Math.Sqrt(Math.Max(s, 1e-12));
    }

    public static double Cos(float[,] f, int i, float[,] g, int j)
    {
        double dot = 0, a = 0, b = 0;
        for (int d = 0; d < f.GetLength(1); d++)
        {
            dot += f[i, d] * (double)g[j, d];
            a += f[i, d] * (double)f[i, d];
            b += g[j, d] * (double)g[j, d];
        }

        return dot / Math.Sqrt(a) / Math.Sqrt(b);
    }

    public static void AssertGradientFlows(Tensor leaf)
    {
        Assert.NotNull(leaf.grad);
        var g = leaf.grad!.data<float>().ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(g, v => v != 0);
    }
}
