using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Models.Backbones;

public sealed class ClipVisionTransformerTests
{
    private static ClipVisionOptions Tiny(int stride = 0, int cameras = 0) => new()
    {
        Width = 64, Layers = 2, Heads = 0, PatchSize = 8, PatchStride = stride,
        InputHeight = 32, InputWidth = 16, OutputDim = 24, CameraCount = cameras,
    };

    private static ClipVisionTransformer Randomised(ClipVisionOptions o, int seed)
    {
        torch.manual_seed(seed);
        var m = new ClipVisionTransformer(o);
        // Give every LayerNorm and bias non-trivial values so the reference exercises them.
        using (torch.no_grad())
            foreach (var (name, p) in m.named_parameters())
                if (name.EndsWith("bias") || name.Contains("ln_"))
                    p.add_(torch.randn(p.shape) * 0.1f);
        m.eval();
        return m;
    }

    // Straightforward CLIP ViT from the architecture, written with plain tensor arithmetic on the named weights.
    private static float[,] Reference(Dictionary<string, Tensor> w, float[] image, int b, ClipVisionOptions o)
    {
        int c = 3, h = o.InputHeight, wd = o.InputWidth, p = o.PatchSize, s = o.EffectiveStride, d = o.Width;
        int gh = (h - p) / s + 1, gw = (wd - p) / s + 1, heads = d / 64, hd = d / heads;
        var img = torch.tensor(image, [b, c, h, wd]);
        var result = new float[b, o.OutputDim];
        for (int n = 0; n < b; n++)
        {
            var tokens = new List<Tensor> { w["class_embedding"] };
            var kernel = w["conv1.weight"].reshape(d, c * p * p);
            for (int i = 0; i < gh; i++)
                for (int j = 0; j < gw; j++)
                {
                    var patch = img[n].narrow(1, i * s, p).narrow(2, j * s, p).reshape(c * p * p);
                    tokens.Add(kernel.matmul(patch));
                }
            var x = torch.stack(tokens) + w["positional_embedding"];
            x = Ln(x, w["ln_pre.weight"], w["ln_pre.bias"]);
            for (int l = 0; l < o.Layers; l++)
            {
                string pre = $"transformer.resblocks.{l}.";
                var y = Ln(x, w[pre + "ln_1.weight"], w[pre + "ln_1.bias"]);
                var win = w[pre + "attn.in_proj_weight"];
                var bin = w[pre + "attn.in_proj_bias"];
                var q = y.matmul(win.narrow(0, 0, d).t()) + bin.narrow(0, 0, d);
                var k = y.matmul(win.narrow(0, d, d).t()) + bin.narrow(0, d, d);
                var v = y.matmul(win.narrow(0, 2 * d, d).t()) + bin.narrow(0, 2 * d, d);
                var headsOut = new List<Tensor>();
                for (int hh = 0; hh < heads; hh++)
                {
                    var qh = q.narrow(1, hh * hd, hd);
                    var kh = k.narrow(1, hh * hd, hd);
                    var vh = v.narrow(1, hh * hd, hd);
                    var a = qh.matmul(kh.t()) / MathF.Sqrt(hd);
                    var e = (a - a.max(1, keepdim: true).values).exp();
                    headsOut.Add((e / e.sum(1, keepdim: true)).matmul(vh));
                }
                var att = torch.cat(headsOut, 1).matmul(w[pre + "attn.out_proj.weight"].t()) + w[pre + "attn.out_proj.bias"];
                x = x + att;
                y = Ln(x, w[pre + "ln_2.weight"], w[pre + "ln_2.bias"]);
                var f = y.matmul(w[pre + "mlp.c_fc.weight"].t()) + w[pre + "mlp.c_fc.bias"];
                f = f * (1f / (1f + (-1.702f * f).exp()));
                x = x + f.matmul(w[pre + "mlp.c_proj.weight"].t()) + w[pre + "mlp.c_proj.bias"];
            }
            var cls = Ln(x.narrow(0, 0, 1), w["ln_post.weight"], w["ln_post.bias"]).matmul(w["proj"]);
            var data = cls.data<float>().ToArray();
            for (int k2 = 0; k2 < o.OutputDim; k2++) result[n, k2] = data[k2];
        }
        return result;
    }

    private static Tensor Ln(Tensor x, Tensor g, Tensor b)
    {
        var mean = x.mean([1], keepdim: true);
        var centered = x - mean;
        var variance = (centered * centered).mean([1], keepdim: true);
        return centered / (variance + 1e-5f).sqrt() * g + b;
    }

    private static Dictionary<string, Tensor> Weights(nn.Module m) =>
        m.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void MatchesAStepByStepClipVitComputation(int stride)
    {
        var o = Tiny(stride);
        using var m = Randomised(o, 7);
        torch.manual_seed(1);
        var images = torch.randn(2, 3, o.InputHeight, o.InputWidth);
        var expected = Reference(Weights(m), images.data<float>().ToArray(), 2, o);
        using var got = m.forward(images);
        Assert.Equal(new long[] { 2, 24 }, got.shape);
        var g = got.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 24; k++)
                Assert.True(Math.Abs(g[n * 24 + k] - expected[n, k]) < 1e-4, $"[{n},{k}] {g[n * 24 + k]} vs {expected[n, k]}");
    }

    [Fact]
    public void EncodeGivesClassAndPatchTokensOfTheGrid()
    {
        var o = Tiny(stride: 4);
        using var m = Randomised(o, 3);
        using var x = torch.randn(1, 3, 32, 16);
        using var r = m.Encode(x);
        Assert.Equal(new long[] { 1, 64 }, r.ClassToken.shape);
        Assert.Equal(new long[] { 1, 7 * 3, 64 }, r.PatchTokens.shape);
        Assert.Equal(new long[] { 1, 24 }, r.Projected.shape);
    }

    [Fact]
    public void CameraEmbeddingChangesOutputOnlyThroughTheCameraId()
    {
        var o = Tiny(cameras: 3);
        using var m = Randomised(o, 5);
        using var x = torch.randn(1, 3, 32, 16).expand(2, 3, 32, 16).contiguous();
        using var r = m.Encode(x, torch.tensor(new long[] { 0, 2 }));
        var diff = (r.Projected[0] - r.Projected[1]).abs().max().item<float>();
        Assert.True(diff > 1e-3, "different cameras should give different outputs");
        using var same = m.Encode(x, torch.tensor(new long[] { 1, 1 }));
        Assert.True((same.Projected[0] - same.Projected[1]).abs().max().item<float>() < 1e-6);
        Assert.Throws<ArgumentException>(() => m.Encode(x));
    }

    [Fact]
    public void PositionalResizeKeepsClassPositionAndIsIdentityOnTheSameGrid()
    {
        using var pos = torch.randn(1 + 4 * 4, 8);
        using var same = ClipVisionTransformer.ResizePositionalEmbedding(pos, 4, 4, 4, 4);
        Assert.True(same.equal(pos).all().item<bool>());
        using var r = ClipVisionTransformer.ResizePositionalEmbedding(pos, 4, 4, 8, 2, bicubic: false);
        Assert.Equal(new long[] { 17, 8 }, r.shape);
        Assert.True(r[0].equal(pos[0]).all().item<bool>());
        // A constant grid stays constant under bilinear and bicubic resizing.
        using var flat = torch.cat([torch.zeros(1, 2), torch.ones(16, 2) * 3f], 0);
        using var rc = ClipVisionTransformer.ResizePositionalEmbedding(flat, 4, 4, 6, 3, bicubic: true);
        Assert.True((rc.narrow(0, 1, 18) - 3f).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void SavedStateLoadsIntoAFreshModuleWithTheSameOutputs()
    {
        var dir = Directory.CreateTempSubdirectory("vit").FullName;
        try
        {
            var o = Tiny();
            using var a = Randomised(o, 11);
            var path = Path.Combine(dir, "w.safetensors");
            StateDictIO.Save(a, path);
            using var b = Randomised(o, 12);
            var report = StateDictIO.Load(b, path);
            Assert.True(report.IsExact, report.ToString());
            using var x = torch.randn(2, 3, 32, 16);
            using var ya = a.forward(x);
            using var yb = b.forward(x);
            Assert.True((ya - yb).abs().max().item<float>() == 0f);
        }
        finally { Directory.Delete(dir, true); }
    }
}
