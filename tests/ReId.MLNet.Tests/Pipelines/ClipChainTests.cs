using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using SkiaSharp;

namespace ReId.MLNet.Tests.Pipelines;

public class ClipChainTests : IDisposable
{
    private readonly PipelineTestData _data = new();

    public void Dispose() => _data.Dispose();

    // Semantic enhancement stand-in: y = relu(x·M), M [4,4].
    private static readonly float[] Enhance = [1, 0, 0, 1, 0, 2, 0, 0, 0, 0, -1, 1, 1, 1, 1, 0];

    /// <summary>A CLIP-like image encoder: "image_embeds" = GAP+Gemm, "patch_tokens" = pixels as [batch, H·W, 3].</summary>
    private static byte[] ClipLikeModel()
    {
        const int side = ClipImageFeaturesOptions.ClipInputSize;
        var b = new OnnxGraphBuilder("clip_like");
        string x = b.AddInput("pixel_values", OnnxElementType.Float, "batch", 3, side, side);
        string pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [x])], OnnxAttribute.Int("axis", 1));
        b.NodeWithOutputs("Gemm", [pooled, b.Constant(PipelineTestData.Weight, 3, 4), b.Constant(PipelineTestData.Bias, 4)], ["image_embeds"]);
        string reshaped = b.Node("Reshape", [x, b.Constant([-1L, 3, side * side], 3)]);
        b.NodeWithOutputs("Transpose", [reshaped], ["patch_tokens"], OnnxAttribute.Ints("perm", 0, 2, 1));
        b.AddOutput("image_embeds", OnnxElementType.Float, "batch", 4);
        b.AddOutput("patch_tokens", OnnxElementType.Float, "batch", side * side, 3);
        return b.ToBytes();
    }

    private static byte[] EnhanceModel()
    {
        var b = new OnnxGraphBuilder("afem_like");
        string x = b.AddInput("features", OnnxElementType.Float, "batch", 4);
        string y = b.Node("Relu", [b.Node("MatMul", [x, b.Constant(Enhance, 4, 4)])]);
        b.AddOutput(y, OnnxElementType.Float, "batch", 4);
        return b.ToBytes();
    }

    private static double[] ClipEmbedding(double[] rgb)
    {
        var z = new double[3];
        for (int c = 0; c < 3; c++)
            z[c] = (rgb[c] / 255.0 - ChannelStatistics.ClipMean[c]) / ChannelStatistics.ClipStd[c];
        var e = new double[4];
        for (int j = 0; j < 4; j++)
        {
            e[j] = PipelineTestData.Bias[j];
            for (int c = 0; c < 3; c++)
                e[j] += z[c] * PipelineTestData.Weight[c * 4 + j];
        }
        double norm = Math.Sqrt(e.Sum(v => v * v));
        return e.Select(v => v / norm).ToArray();
    }

    private static double[] Enhanced(double[] x)
    {
        var y = new double[4];
        for (int j = 0; j < 4; j++)
        {
            for (int i = 0; i < 4; i++)
                y[j] += x[i] * Enhance[i * 4 + j];
            y[j] = Math.Max(0, y[j]);
        }
        return y;
    }

    [Fact]
    public void ImageToClipFeaturesToSemanticEnhanceToRank_InOneChain_MatchesHandComputation()
    {
        string[] names = ["a.png", "b.png", "c.png"];
        _data.SolidImage("a.png", 20, 30, 200, 100, 50);
        _data.SolidImage("b.png", 8, 8, 10, 220, 130);
        _data.SolidImage("c.png", 50, 20, 90, 90, 240);
        string clip = Path.Combine(_data.Root, "clip.onnx");
        string afem = Path.Combine(_data.Root, "afem.onnx");
        File.WriteAllBytes(clip, ClipLikeModel());
        File.WriteAllBytes(afem, EnhanceModel());
        var enhanced = names.Select(n => Enhanced(ClipEmbedding(_data.MeanRgb[n]))).ToArray();
        // Gallery: the three enhanced embeddings themselves (scaled, so cosine still ranks each image first).
        float[] gallery = enhanced.SelectMany(e => e.Select(v => (float)(v * 3))).ToArray();
        var rows = names.Select(n => new ImageRow { ImagePath = n }).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);

        var pipeline = ml.Transforms.ClipImageFeatures(new ClipImageFeaturesOptions
            {
                OutputColumnName = "Clip", ModelPath = clip, InputColumnName = nameof(ImageRow.ImagePath),
                ImageFolder = _data.ImageDir, PatchTokensColumnName = "Patches", PatchTokensOutputName = "patch_tokens",
            })
            .Append(ml.Transforms.SemanticEnhance("Enhanced", afem, "Clip"))
            .Append(ml.Transforms.ReIdRank("Top", gallery, 4, "Enhanced", [7, 8, 9], topK: 3));
        var output = pipeline.Fit(data).Transform(data);

        var clipColumn = output.GetColumn<VBuffer<float>>("Clip").Select(v => v.DenseValues().ToArray()).ToArray();
        var enhancedColumn = output.GetColumn<VBuffer<float>>("Enhanced").Select(v => v.DenseValues().ToArray()).ToArray();
        var patches = output.GetColumn<VBuffer<float>>("Patches").Select(v => v.DenseValues().ToArray()).ToArray();
        var top = output.GetColumn<VBuffer<long>>("TopIdentities").Select(v => v.DenseValues().ToArray()).ToArray();
        for (int i = 0; i < names.Length; i++)
        {
            double[] expectedClip = ClipEmbedding(_data.MeanRgb[names[i]]);
            for (int j = 0; j < 4; j++)
            {
                Assert.True(Math.Abs(expectedClip[j] - clipColumn[i][j]) < 1e-4, $"clip {names[i]}[{j}]");
                Assert.True(Math.Abs(enhanced[i][j] - enhancedColumn[i][j]) < 1e-4, $"enhanced {names[i]}[{j}]");
            }
            Assert.Equal(224 * 224 * 3, patches[i].Length);
            // Patch token 0 holds the normalised R,G,B of the top-left pixel.
            for (int c = 0; c < 3; c++)
            {
                double z = (_data.MeanRgb[names[i]][c] / 255.0 - ChannelStatistics.ClipMean[c]) / ChannelStatistics.ClipStd[c];
                Assert.True(Math.Abs(z - patches[i][c]) < 1e-4, $"patch {names[i]}[{c}]");
            }
            Assert.Equal(7 + i, top[i][0]);
        }
    }

    private sealed class VectorRow
    {
        [Microsoft.ML.Data.VectorType(4)]
        public float[] In { get; set; } = [];
    }

    [Fact]
    public void SemanticEnhance_FromOptions_MatchesHandComputationInANamedColumn()
    {
        string afem = Path.Combine(_data.Root, "afem.onnx");
        File.WriteAllBytes(afem, EnhanceModel());
        double[] x = [0.5, -1, 2, 0.25];
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new VectorRow { In = [.. x.Select(v => (float)v)] } });

        var output = ml.Transforms.SemanticEnhance(new SemanticEnhanceOptions { OutputColumnName = "Out", InputColumnName = "In", ModelPath = afem })
            .Fit(data).Transform(data);

        float[] got = output.GetColumn<float[]>("Out").Single();
        double[] expected = Enhanced(x);
        for (int j = 0; j < 4; j++) Assert.Equal(expected[j], got[j], 5);
        Assert.Throws<ArgumentException>(() => ml.Transforms.SemanticEnhance(new SemanticEnhanceOptions { OutputColumnName = "Out" }));
    }

    [Fact]
    public void SemanticEnhance_WithMismatchedRank_IsRejected()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, 1, 2, 4);
        b.AddOutput(b.Node("Relu", [x]), OnnxElementType.Float, 1, 2, 4);
        string path = Path.Combine(_data.Root, "rank3.onnx");
        b.Save(path);

        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Transforms.SemanticEnhance("Out", path, "In"));

        Assert.Contains("rank 3", ex.Message);
    }
}
