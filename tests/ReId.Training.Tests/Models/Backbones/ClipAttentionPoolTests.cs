using ReId.Training.Models.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Backbones;

public sealed class ClipAttentionPoolTests
{
    /// <summary>
    /// CLIP's attention pool spelt out one image and one head at a time from the module's weights: tokens in
    /// sequence-first order, the mean token prepended, positions added, then for each head the single (mean-token)
    /// query's scaled dot products with every key, a softmax, the weighted sum of values; heads concatenated; c_proj.
    /// </summary>
    private static float[] Reference(IReadOnlyDictionary<string, Tensor> w, Tensor x, int heads)
    {
        long b = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3], hd = c / heads;
        var result = new List<float>();
        for (long i = 0; i < b; i++)
        {
            var tokens = x[i].reshape(c, hw).t();                               // [HW, C]
            var mean = tokens.sum(dim: 0) / hw;
            var seq = torch.cat([mean.unsqueeze(0), tokens], 0) + w["positional_embedding"];
            Tensor Project(Tensor t, string name) => t.matmul(w[name + ".weight"].t()) + w[name + ".bias"];
            var q = Project(seq[0], "q_proj");                                   // [C]
            var k = Project(seq, "k_proj");                                      // [HW + 1, C]
            var v = Project(seq, "v_proj");
            var perHead = new List<Tensor>();
            for (int h = 0; h < heads; h++)
            {
                var qh = q.narrow(0, h * hd, hd);
                var kh = k.narrow(1, h * hd, hd);
                var vh = v.narrow(1, h * hd, hd);
                var logits = (kh * qh).sum(dim: 1) / MathF.Sqrt(hd);          // [HW + 1]
                var e = (logits - logits.max()).exp();
                var weights = e / e.sum();
                perHead.Add((vh * weights.unsqueeze(1)).sum(dim: 0));          // [hd]
            }
            var attended = torch.cat(perHead, 0);
            result.AddRange(Project(attended, "c_proj").data<float>().ToArray());
        }
        return result.ToArray();
    }

    [Theory]
    [InlineData(2, 1, 2)]
    [InlineData(4, 2, 4)]
    [InlineData(3, 3, 1)]
    public void MatchesAStepByStepReference(int gridH, int gridW, int heads)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11 + gridH);
        using var pool = new ClipAttentionPool(gridH, gridW, embedDim: 16, heads: heads, outputDim: 6);
        pool.eval();
        var w = pool.state_dict();
        var x = torch.randn(3, 16, gridH, gridW);
        var got = pool.forward(x).data<float>().ToArray();
        var expected = Reference(w, x, heads);
        Assert.Equal(expected.Length, got.Length);
        float diff = expected.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff < 1e-5f, $"max abs diff {diff}");
    }

    [Fact]
    public void ResizedPositionalEmbeddingKeepsTheMeanTokenRowAndFitsTheNewGrid()
    {
        torch.manual_seed(5);
        using var pos = torch.randn(1 + 7 * 7, 32);
        foreach (bool bicubic in new[] { true, false })
        {
            using var resized = ClipVisionTransformer.ResizePositionalEmbedding(pos, 7, 7, 16, 8, bicubic);
            Assert.Equal(new long[] { 1 + 16 * 8, 32 }, resized.shape);
            Assert.True((resized[0] - pos[0]).abs().max().item<float>() == 0f);
        }
    }
}
