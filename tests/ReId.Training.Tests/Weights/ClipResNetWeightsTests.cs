using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using ReId.Training.Models.Backbones;
using ReId.Training.Tests.Models.Backbones;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Weights;

public sealed class ClipResNetWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cliprn").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tiny encoder whose BatchNorms hold non-trivial running statistics.</summary>
    private static ClipModifiedResNet Tiny(int seed, int lastStride = 2, int inputWidth = 32)
    {
        torch.manual_seed(seed);
        var o = ClipModifiedResNetTests.TinyOptions(lastStride);
        o.InputWidth = inputWidth;
        var m = new ClipModifiedResNet(o);
        m.train();
        using (torch.no_grad())
            using (var x = torch.randn(4, 3, 64, inputWidth) * 2f + 0.5f)
                m.forward(x).Dispose();
        m.eval();
        return m;
    }

    private static float MaxDiff(ClipModifiedResNet a, ClipModifiedResNet b, int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, h, w);
        using var oa = a.Encode(x);
        using var ob = b.Encode(x);
        return new[] { (oa.Projected - ob.Projected), (oa.Pooled - ob.Pooled), (oa.FeatureMap - ob.FeatureMap) }
            .Max(d => d.abs().max().item<float>());
    }

    /// <summary>The encoder's state as a full CLIP checkpoint would hold it: visual.* (with BN counters) plus the text tower.</summary>
    private static Dictionary<string, Tensor> FullClipCheckpoint(ClipModifiedResNet m)
    {
        var d = m.state_dict().ToDictionary(p => "visual." + p.Key, p => p.Value.alias());
        Assert.Contains(d.Keys, k => k.EndsWith("num_batches_tracked"));
        foreach (var k in new[] { "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.ln_1.bias", "token_embedding.weight",
                     "positional_embedding", "ln_final.weight", "ln_final.bias", "text_projection", "logit_scale" })
            d[k] = torch.zeros(2, 2);
        return d;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void SaveThenLoadGivesIdenticalOutputsAndConfiguration(int lastStride)
    {
        using var a = Tiny(3, lastStride);
        var path = Path.Combine(_dir, $"rn{lastStride}.safetensors");
        ClipResNetWeights.Save(a, path);
        var file = SafetensorsFile.Read(path);
        Assert.Contains("visual.layer1.0.downsample.1.weight", file.Tensors.Keys);
        Assert.Contains("visual.layer4.0.downsample.2.running_mean", file.Tensors.Keys);
        Assert.Contains("visual.attnpool.c_proj.bias", file.Tensors.Keys);
        Assert.All(file.Tensors.Keys, k => Assert.StartsWith("visual.", k));

        var (b, report) = ClipResNetWeights.Load(path);
        using (b)
        {
            Assert.True(report.IsExact, report.ToString());
            Assert.Equal(new[] { 1, 1, 1, 1 }, b.Options.Layers);
            Assert.Equal(8, b.Options.Width);
            Assert.Equal(2, b.Options.EffectiveHeads);
            Assert.Equal(16, b.Options.OutputDim);
            Assert.Equal((64, 32, lastStride), (b.Options.InputHeight, b.Options.InputWidth, b.Options.LastStride));
            Assert.False(b.training);
            Assert.Equal(0f, MaxDiff(a, b, 64, 32));
        }
    }

    [Fact]
    public void FullClipCheckpointLoadsWithTextTowerAndBatchCountersIgnored()
    {
        // 64×64 gives a square 2×2 grid, as OpenAI's checkpoints have (7×7 at 224).
        using var a = Tiny(4, inputWidth: 64);
        var tensors = FullClipCheckpoint(a);
        try
        {
            var (b, report) = ClipResNetWeights.Load(tensors, "full clip");
            using (b)
            {
                Assert.Empty(report.UnexpectedKeys);
                Assert.Empty(report.MissingKeys);
                Assert.Equal(4, b.Options.EffectiveHeads);   // OpenAI's rule: width · 32 / 64
                Assert.Equal((2, 2), (b.Options.PretrainedGridHeight, b.Options.PretrainedGridWidth));
                Assert.Equal((64, 64), (b.Options.InputHeight, b.Options.InputWidth));
            }
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    [Fact]
    public void HeadsOverrideGivesTheSameOutputsAsTheSavedModel()
    {
        using var a = Tiny(5, inputWidth: 64);
        var tensors = a.state_dict().ToDictionary(p => p.Key, p => p.Value.alias());   // no 'visual.' prefix
        try
        {
            var (b, report) = ClipResNetWeights.Load(tensors, "bare", o => o.Heads = 2);
            using (b)
            {
                Assert.True(report.IsExact, report.ToString());
                Assert.Equal(0f, MaxDiff(a, b, 64, 64));
            }
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(1, 4, 2)]
    public void PositionalGridIsResizedForTheRequestedInputAndLastStride(int lastStride, int gridH, int gridW)
    {
        using var a = Tiny(6, inputWidth: 64);
        var path = Path.Combine(_dir, "square.safetensors");
        var full = FullClipCheckpoint(a);
        new SafetensorsFile(full.Select(p => StateDictIO.ToSafetensors(p.Key, p.Value))).Write(path);   // no metadata, like a converted OpenAI file
        foreach (var t in full.Values) t.Dispose();
        foreach (bool bicubic in new[] { true, false })
        {
            var (b, report) = ClipResNetWeights.Load(path, o => { o.InputWidth = 32; o.LastStride = lastStride; }, bicubic);
            using (b)
            {
                Assert.True(report.IsExact, report.ToString());
                var pos = b.state_dict()["attnpool.positional_embedding"];
                Assert.Equal(new long[] { 1 + gridH * gridW, 256 }, pos.shape);
                Assert.Equal(0f, (pos[0] - a.state_dict()["attnpool.positional_embedding"][0]).abs().max().item<float>());
                using var y = b.Encode(torch.randn(2, 3, 64, 32));
                Assert.Equal(new long[] { 2, 256, gridH, gridW }, y.FeatureMap.shape);
                Assert.Equal(new long[] { 2, 16 }, y.Projected.shape);
            }
        }
    }

    [Fact]
    public void NonSquareGridWithoutMetadataIsTakenFromTheRequestedInputOrRejectedClearly()
    {
        using var a = Tiny(7);   // 64×32 → 2×1 grid
        var tensors = FullClipCheckpoint(a);
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => ClipResNetWeights.Load(tensors, "reid checkpoint"));
            Assert.Contains("reid checkpoint", ex.Message);
            Assert.Contains("PretrainedGridHeight", ex.Message);

            var (b, report) = ClipResNetWeights.Load(tensors, "reid checkpoint", o => { o.InputHeight = 64; o.InputWidth = 32; o.Heads = 2; });
            using (b)
            {
                Assert.True(report.IsExact, report.ToString());
                Assert.Equal(0f, MaxDiff(a, b, 64, 32));
            }
            var (c, _) = ClipResNetWeights.Load(tensors, "reid checkpoint", o => { o.PretrainedGridHeight = 2; o.PretrainedGridWidth = 1; o.LastStride = 1; o.InputHeight = 64; o.InputWidth = 32; });
            using (c)
                Assert.Equal(new long[] { 1 + 4 * 2, 256 }, c.state_dict()["attnpool.positional_embedding"].shape);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    [Fact]
    public void ReportNamesMissingAndUnexpectedKeys()
    {
        using var a = Tiny(8);
        var path = Path.Combine(_dir, "w.safetensors");
        ClipResNetWeights.Save(a, path);
        var f = SafetensorsFile.Read(path);
        f.Tensors.Remove("visual.layer2.0.bn1.running_var");
        f.Tensors["visual.extra"] = new SafetensorsTensor("visual.extra", [1], [0f]);
        f.Tensors["something.else"] = new SafetensorsTensor("something.else", [1], [0f]);
        f.Tensors["ln_final.bias"] = new SafetensorsTensor("ln_final.bias", [1], [0f]);
        f.Write(path);
        var (b, report) = ClipResNetWeights.Load(path);
        b.Dispose();
        Assert.Equal(["layer2.0.bn1.running_var"], report.MissingKeys);
        Assert.Equal(["extra", "something.else"], report.UnexpectedKeys);
    }

    [Fact]
    public void IntegerBatchCountersInAFileAreSkipped()
    {
        using var a = Tiny(9);
        var path = Path.Combine(_dir, "i64.safetensors");
        ClipResNetWeights.Save(a, path);
        AppendInt64Tensor(path, "visual.layer1.0.bn1.num_batches_tracked", 3);
        // The general reader refuses integer tensors; the loader skips the counters PyTorch writes with every BatchNorm.
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        var (b, report) = ClipResNetWeights.Load(path);
        using (b)
        {
            Assert.True(report.IsExact, report.ToString());
            Assert.Equal(0f, MaxDiff(a, b, 64, 32));
        }
    }

    [Fact]
    public void VitCheckpointIsRejectedNamingTheFile()
    {
        torch.manual_seed(10);
        using var vit = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 8, InputHeight = 32, InputWidth = 32, OutputDim = 16 });
        var path = Path.Combine(_dir, "vit.safetensors");
        ClipVisionWeights.Save(vit, path, ClipLayout.OpenAi);
        var ex = Assert.Throws<InvalidDataException>(() => ClipResNetWeights.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("ViT", ex.Message);
    }

    [Fact]
    public void FileWithoutAnImageEncoderIsRejectedNamingTheFile()
    {
        var path = Path.Combine(_dir, "x.safetensors");
        new SafetensorsFile([new SafetensorsTensor("foo", [1], [1f])]).Write(path);
        var ex = Assert.Throws<InvalidDataException>(() => ClipResNetWeights.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("visual.attnpool.positional_embedding", ex.Message);
    }

    [Fact]
    public void EncoderFamilyIsDetectedFromTensorNames()
    {
        using var rn = Tiny(11);
        var names = rn.state_dict().Keys.ToList();
        Assert.Equal(ClipImageEncoderKind.ModifiedResNet, ClipImageEncoders.Detect(names));
        Assert.Equal(ClipImageEncoderKind.ModifiedResNet, ClipImageEncoders.Detect(names.Select(n => "visual." + n)));
        Assert.Equal(ClipImageEncoderKind.Vit, ClipImageEncoders.Detect(["visual.conv1.weight", "visual.class_embedding", "visual.proj"]));
        Assert.Equal(ClipImageEncoderKind.Vit, ClipImageEncoders.Detect(["vision_model.embeddings.patch_embedding.weight"]));
        // A torchvision ResNet has one stem convolution and no attention pool.
        Assert.Equal(ClipImageEncoderKind.Unknown, ClipImageEncoders.Detect(["conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "fc.weight"]));
    }

    /// <summary>Appends a scalar int64 tensor to a safetensors file, as PyTorch writes num_batches_tracked.</summary>
    private static void AppendInt64Tensor(string path, string name, long value)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLen = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLen))!.AsObject();
        var data = bytes.AsSpan(8 + headerLen).ToArray();
        header[name] = new JsonObject
        {
            ["dtype"] = "I64",
            ["shape"] = new JsonArray(),
            ["data_offsets"] = new JsonArray(data.Length, data.Length + 8),
        };
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var fs = File.Create(path);
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(eight, (ulong)padded);
        fs.Write(eight);
        fs.Write(json);
        for (int i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
        fs.Write(data);
        BinaryPrimitives.WriteInt64LittleEndian(eight, value);
        fs.Write(eight);
    }
}
