using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;
using ReId.Training.Tests.Models.Text;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Weights;

public sealed class ClipTextWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cliptw").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ClipTextTransformer Tiny(int seed, int output = 24) => ClipTextTransformerTests.Randomised(new ClipTextOptions
    {
        VocabSize = 30, ContextLength = 8, Width = 128, Layers = 2, OutputDim = output,
    }, seed);

    private static Tensor Ids() =>
        torch.tensor(ClipTextTransformerTests.RandomIds(3, 8, 30, seed: 4).Cast<long>().ToArray(), [3, 8], ScalarType.Int64);

    private static float MaxDiff(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b)
    {
        using var ids = Ids();
        using var ya = a.forward(ids);
        using var yb = b.forward(ids);
        return (ya - yb).abs().max().item<float>();
    }

    [Theory]
    [InlineData(ClipLayout.OpenAi, 24)]
    [InlineData(ClipLayout.HuggingFace, 24)]
    [InlineData(ClipLayout.HuggingFace, 0)]
    public void SavedLayoutLoadsBackWithInferredArchitectureAndSameOutputs(ClipLayout layout, int output)
    {
        using var a = Tiny(3, output);
        var path = Path.Combine(_dir, $"{layout}.safetensors");
        ClipTextWeights.Save(a, path, layout);
        var names = SafetensorsFile.Read(path).Tensors.Keys.ToList();
        Assert.Equal(layout, ClipTextWeights.DetectLayout(names, path));
        if (layout == ClipLayout.HuggingFace)
        {
            Assert.Contains("text_model.encoder.layers.1.self_attn.v_proj.bias", names);
            Assert.Contains("text_model.final_layer_norm.weight", names);
            Assert.Contains("text_model.embeddings.position_embedding.weight", names);
            Assert.Equal(output > 0, names.Contains("text_projection.weight"));
        }
        else
        {
            Assert.Contains("transformer.resblocks.1.attn.in_proj_weight", names);
            Assert.Contains("positional_embedding", names);
            Assert.Contains("text_projection", names);
        }

        var (b, report) = ClipTextWeights.Load(path);
        using (b)
        {
            Assert.True(report.IsExact, report.ToString());
            Assert.Equal(30, b.Options.VocabSize);
            Assert.Equal(8, b.Options.ContextLength);
            Assert.Equal(128, b.Options.Width);
            Assert.Equal(2, b.Options.Layers);
            Assert.Equal(output, b.Options.OutputDim);
            Assert.Equal(2, b.Options.EffectiveHeads);
            Assert.True(MaxDiff(a, b) < 1e-6);
        }
    }

    [Fact]
    public void HuggingFaceProjectionIsTheTransposeOfOpenAis()
    {
        using var a = Tiny(8);
        var path = Path.Combine(_dir, "hf.safetensors");
        ClipTextWeights.Save(a, path, ClipLayout.HuggingFace);
        var hf = SafetensorsFile.Read(path).Tensors["text_projection.weight"];
        Assert.Equal(new long[] { 24, 128 }, hf.Shape);
        var proj = a.state_dict()["text_projection"];
        Assert.Equal(proj[5, 2].item<float>(), hf.Data[2 * 128 + 5]);
    }

    [Fact]
    public void HeadsCanBeOverridden()
    {
        using var a = Tiny(9);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipTextWeights.Save(a, path, ClipLayout.OpenAi);
        var (b, _) = ClipTextWeights.Load(path, o => { o.Heads = 4; o.Width = 999; });
        using (b)
        {
            Assert.Equal(4, b.Options.EffectiveHeads);
            Assert.Equal(128, b.Options.Width);
            Assert.True(MaxDiff(a, b) > 1e-4, "a different head split changes the attention");
        }
    }

    [Theory]
    [InlineData(ClipLayout.OpenAi)]
    [InlineData(ClipLayout.HuggingFace)]
    public void FullClipFileLoadsInBothTheImageAndTheTextLoader(ClipLayout layout)
    {
        using var text = Tiny(4);
        torch.manual_seed(5);
        using var vision = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 1, PatchSize = 8, InputHeight = 16, InputWidth = 16, OutputDim = 24,
        });
        vision.eval();
        string textPath = Path.Combine(_dir, "t.safetensors"), visionPath = Path.Combine(_dir, "v.safetensors");
        ClipTextWeights.Save(text, textPath, layout);
        ClipVisionWeights.Save(vision, visionPath, layout);
        var tensors = SafetensorsFile.Read(textPath).Tensors.Values.Concat(SafetensorsFile.Read(visionPath).Tensors.Values).ToList();
        tensors.Add(new SafetensorsTensor("logit_scale", [], [4.6f]));
        if (layout == ClipLayout.HuggingFace)
        {
            tensors.Add(new SafetensorsTensor("text_model.embeddings.position_ids", [1, 8], Enumerable.Range(0, 8).Select(i => (float)i).ToArray()));
            tensors.Add(new SafetensorsTensor("vision_model.embeddings.position_ids", [1, 5], Enumerable.Range(0, 5).Select(i => (float)i).ToArray()));
        }
        var path = Path.Combine(_dir, "clip.safetensors");
        new SafetensorsFile(tensors).Write(path);

        var (t, textReport) = ClipTextWeights.Load(path);
        using (t)
        {
            Assert.True(textReport.IsExact, textReport.ToString());
            Assert.True(MaxDiff(text, t) < 1e-6);
        }
        var (v, visionReport) = ClipVisionWeights.Load(path);
        using (v)
        {
            Assert.True(visionReport.IsExact, visionReport.ToString());
            using var images = torch.randn(2, 3, 16, 16);
            using var ya = vision.forward(images);
            using var yb = v.forward(images);
            Assert.True((ya - yb).abs().max().item<float>() < 1e-6);
        }
    }

    [Fact]
    public void MissingAndUnknownTensorsAreReported()
    {
        using var a = Tiny(5);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipTextWeights.Save(a, path, ClipLayout.OpenAi);
        var f = SafetensorsFile.Read(path);
        f.Tensors.Remove("ln_final.bias");
        f.Tensors["text_extra"] = new SafetensorsTensor("text_extra", [1], [0f]);
        f.Write(path);
        var (b, report) = ClipTextWeights.Load(path);
        b.Dispose();
        Assert.Equal(["ln_final.bias"], report.MissingKeys);
        Assert.Equal(["text_extra"], report.UnexpectedKeys);
    }

    [Fact]
    public void HuggingFaceFileMissingOneOfQkvReportsThePackedTensor()
    {
        using var a = Tiny(6);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipTextWeights.Save(a, path, ClipLayout.HuggingFace);
        var f = SafetensorsFile.Read(path);
        f.Tensors.Remove("text_model.encoder.layers.0.self_attn.k_proj.weight");
        f.Tensors["text_model.encoder.layers.0.self_attn.rotary"] = new SafetensorsTensor("text_model.encoder.layers.0.self_attn.rotary", [1], [0f]);
        f.Write(path);
        var (b, report) = ClipTextWeights.Load(path);
        b.Dispose();
        Assert.Equal(["transformer.resblocks.0.attn.in_proj_weight"], report.MissingKeys);
        Assert.Equal(["text_model.encoder.layers.0.self_attn.rotary"], report.UnexpectedKeys);
    }

    [Fact]
    public void FileWithoutATextEncoderIsRejected()
    {
        torch.manual_seed(1);
        using var vision = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 8, InputHeight = 16, InputWidth = 16 });
        var path = Path.Combine(_dir, "vision.safetensors");
        ClipVisionWeights.Save(vision, path, ClipLayout.OpenAi);
        var ex = Assert.Throws<InvalidDataException>(() => ClipTextWeights.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("token_embedding.weight", ex.Message);
    }
}
