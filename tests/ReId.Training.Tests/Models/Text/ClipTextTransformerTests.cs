using ReId.Training.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Text;

public sealed class ClipTextTransformerTests
{
    private static ClipTextOptions Tiny(int output = 12) => new()
    {
        Width = 16, Layers = 2, Heads = 2, ContextLength = 8, VocabSize = 30, OutputDim = output,
    };

    internal static ClipTextTransformer Randomised(ClipTextOptions o, int seed)
    {
        torch.manual_seed(seed);
        var m = new ClipTextTransformer(o);
        // Give every LayerNorm and bias non-trivial values, and the embeddings a larger scale, so the reference exercises them.
        using (torch.no_grad())
            foreach (var (name, p) in m.named_parameters())
            {
                if (name.EndsWith("bias") || name.Contains("ln_")) p.add_(torch.randn(p.shape) * 0.1f);
                if (name.Contains("embedding")) p.mul_(20f);
            }
        m.eval();
        return m;
    }

    // Rows of start (V−2), random words, end (V−1, the largest id) at different places, zero padding.
    internal static long[,] RandomIds(int batch, int length, int vocab, int seed)
    {
        var rng = new Random(seed);
        var ids = new long[batch, length];
        for (int n = 0; n < batch; n++)
        {
            int eot = rng.Next(1, length);
            ids[n, 0] = vocab - 2;
            for (int i = 1; i < eot; i++) ids[n, i] = rng.Next(1, vocab - 2);
            ids[n, eot] = vocab - 1;
        }
        return ids;
    }

    private static Tensor ToTensor(long[,] ids) =>
        torch.tensor(ids.Cast<long>().ToArray(), [ids.GetLength(0), ids.GetLength(1)], ScalarType.Int64);

    // CLIP's text encoder written from the architecture with float loops over the named weights.
    private static float[,] Reference(Dictionary<string, float[]> w, long[,] ids, ClipTextOptions o)
    {
        int b = ids.GetLength(0), len = ids.GetLength(1), d = o.Width, heads = o.Heads, hd = d / heads, outDim = o.OutputDim;
        var result = new float[b, outDim];
        for (int n = 0; n < b; n++)
        {
            var x = new float[len][];
            for (int i = 0; i < len; i++)
            {
                x[i] = new float[d];
                for (int j = 0; j < d; j++) x[i][j] = w["token_embedding.weight"][ids[n, i] * d + j] + w["positional_embedding"][i * d + j];
            }
            for (int l = 0; l < o.Layers; l++)
            {
                string pre = $"transformer.resblocks.{l}.";
                var y = x.Select(r => Ln(r, w[pre + "ln_1.weight"], w[pre + "ln_1.bias"])).ToArray();
                var qkv = y.Select(r => Affine(r, w[pre + "attn.in_proj_weight"], w[pre + "attn.in_proj_bias"], 3 * d)).ToArray();
                var att = new float[len][];
                for (int i = 0; i < len; i++)
                {
                    att[i] = new float[d];
                    for (int h = 0; h < heads; h++)
                    {
                        // Causal: position i attends to positions 0..i only.
                        var s = new double[i + 1];
                        for (int t = 0; t <= i; t++)
                        {
                            double dot = 0;
                            for (int c = 0; c < hd; c++) dot += qkv[i][h * hd + c] * qkv[t][d + h * hd + c];
                            s[t] = dot / Math.Sqrt(hd);
                        }
                        double max = s.Max(), sum = s.Sum(v => Math.Exp(v - max));
                        for (int c = 0; c < hd; c++)
                        {
                            double acc = 0;
                            for (int t = 0; t <= i; t++) acc += Math.Exp(s[t] - max) / sum * qkv[t][2 * d + h * hd + c];
                            att[i][h * hd + c] = (float)acc;
                        }
                    }
                }
                for (int i = 0; i < len; i++)
                {
                    var a = Affine(att[i], w[pre + "attn.out_proj.weight"], w[pre + "attn.out_proj.bias"], d);
                    for (int j = 0; j < d; j++) x[i][j] += a[j];
                    var f = Affine(Ln(x[i], w[pre + "ln_2.weight"], w[pre + "ln_2.bias"]), w[pre + "mlp.c_fc.weight"], w[pre + "mlp.c_fc.bias"], 4 * d);
                    for (int j = 0; j < f.Length; j++) f[j] = (float)(f[j] / (1 + Math.Exp(-1.702 * f[j])));
                    var p = Affine(f, w[pre + "mlp.c_proj.weight"], w[pre + "mlp.c_proj.bias"], d);
                    for (int j = 0; j < d; j++) x[i][j] += p[j];
                }
            }
            int eot = 0;
            for (int i = 1; i < len; i++) if (ids[n, i] > ids[n, eot]) eot = i;
            var z = Ln(x[eot], w["ln_final.weight"], w["ln_final.bias"]);
            for (int k = 0; k < outDim; k++)
            {
                double acc = 0;
                for (int j = 0; j < d; j++) acc += z[j] * w["text_projection"][j * outDim + k];
                result[n, k] = (float)acc;
            }
        }
        return result;
    }

    // y = W x + b for W stored [rows, x.Length].
    private static float[] Affine(float[] x, float[] weight, float[] bias, int rows)
    {
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double acc = bias[r];
            for (int c = 0; c < x.Length; c++) acc += weight[r * x.Length + c] * x[c];
            y[r] = (float)acc;
        }
        return y;
    }

    private static float[] Ln(float[] x, float[] g, float[] b)
    {
        double mean = x.Average(v => (double)v);
        double variance = x.Average(v => (v - mean) * (v - mean));
        return x.Select((v, j) => (float)((v - mean) / Math.Sqrt(variance + 1e-5) * g[j] + b[j])).ToArray();
    }

    private static Dictionary<string, float[]> Weights(nn.Module m) =>
        m.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().contiguous().data<float>().ToArray());

    [Fact]
    public void MatchesAStepByStepClipTextComputation()
    {
        var o = Tiny();
        using var m = Randomised(o, 7);
        var ids = RandomIds(3, 8, 30, seed: 1);
        var expected = Reference(Weights(m), ids, o);
        using var idTensor = ToTensor(ids);
        using var got = m.forward(idTensor);
        Assert.Equal(new long[] { 3, 12 }, got.shape);
        var g = got.data<float>().ToArray();
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < 12; k++)
                Assert.True(Math.Abs(g[n * 12 + k] - expected[n, k]) < 1e-5, $"[{n},{k}] {g[n * 12 + k]} vs {expected[n, k]}");
    }

    [Fact]
    public void ParametersHaveOpenAiNamesAndTheMaskIsNotState()
    {
        using var m = new ClipTextTransformer(Tiny());
        var state = m.state_dict();
        Assert.Equal(new long[] { 30, 16 }, state["token_embedding.weight"].shape);
        Assert.Equal(new long[] { 8, 16 }, state["positional_embedding"].shape);
        Assert.Equal(new long[] { 48, 16 }, state["transformer.resblocks.1.attn.in_proj_weight"].shape);
        Assert.Equal(new long[] { 16 }, state["ln_final.bias"].shape);
        Assert.Equal(new long[] { 16, 12 }, state["text_projection"].shape);
        Assert.Equal(5 + 2 * 12, state.Count);
    }

    [Fact]
    public void EncodingEmbeddedTokensAtTheArgmaxEqualsForward()
    {
        using var m = Randomised(Tiny(), 3);
        using var ids = ToTensor(RandomIds(4, 8, 30, seed: 2));
        using var expected = m.forward(ids);
        using var emb = m.EmbedTokens(ids);
        Assert.Equal(new long[] { 4, 8, 16 }, emb.shape);
        using var eot = ids.argmax(-1);
        using var got = m.EncodeEmbeddings(emb, eot);
        Assert.True((got - expected).abs().max().item<float>() == 0f);
    }

    [Fact]
    public void TokensAfterTheEndOfTextDoNotChangeTheFeatures()
    {
        using var m = Randomised(Tiny(), 4);
        var ids = new long[,] { { 28, 5, 6, 29, 0, 0, 0, 0 } };
        using var a = m.forward(ToTensor(ids));
        ids[0, 5] = 17; ids[0, 7] = 3;
        using var b = m.forward(ToTensor(ids));
        // Causal masking: a sequence cut after the end token gives the same features too.
        using var c = m.forward(torch.tensor(new long[] { 28, 5, 6, 29 }, [1, 4], ScalarType.Int64));
        Assert.True((a - b).abs().max().item<float>() < 1e-6);
        Assert.True((a - c).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void WithoutProjectionTheOutputIsTheNormalisedEndToken()
    {
        using var m = Randomised(Tiny(output: 0), 5);
        Assert.Equal(16, m.EmbeddingSize);
        Assert.DoesNotContain("text_projection", m.state_dict().Keys);
        using var y = m.forward(ToTensor(RandomIds(2, 8, 30, seed: 3)));
        Assert.Equal(new long[] { 2, 16 }, y.shape);
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        using var m = new ClipTextTransformer(Tiny());
        Assert.Throws<ArgumentException>(() => m.forward(torch.zeros(new long[] { 2, 9 }, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => m.forward(torch.zeros(new long[] { 8 }, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => m.EncodeEmbeddings(torch.zeros(2, 8, 15), torch.zeros(new long[] { 2 }, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => m.EncodeEmbeddings(torch.zeros(2, 8, 16), torch.zeros(new long[] { 3 }, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => new ClipTextOptions { Width = 16, Heads = 3 }.Validate());
    }
}
