using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ReId.MLNet.Onnx;

namespace ReId.MLNet.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    private static float[] Run(byte[] model, string inputName, float[] data, int[] shape, string? outputName = null)
    {
        OnnxModelChecker.Check(model);
        using var session = new InferenceSession(model);
        var input = NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, shape));
        using var results = session.Run([input]);
        var result = outputName is null ? results.First() : results.First(r => r.Name == outputName);
        return result.AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void MatMulPlusAdd_WithDynamicBatch_MatchesHandComputation()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, "batch", 2);
        string w = b.AddInitializer("w", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        string bias = b.Constant(new float[] { 0.5f, -1, 2 }, 3);
        string mm = b.Node("MatMul", [x, w]);
        b.NodeWithOutputs("Add", [mm, bias], ["y"]);
        b.AddOutput("y", OnnxElementType.Float, "batch", 3);

        float[] y = Run(b.ToBytes(), "x", [1, 1, 2, -1, 0, 3], [3, 2]);

        // [1,1]·W = [5,7,9]; [2,-1]·W = [-2,-1,0]; [0,3]·W = [12,15,18]; plus bias.
        Assert.Equal([5.5f, 6, 11, -1.5f, -2, 2, 12.5f, 14, 20], y);
    }

    [Fact]
    public void Conv_WithPaddingAndBias_MatchesHandComputation()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, 1, 1, 3, 3);
        string w = b.Constant(new float[] { 1, 0, 0, -1 }, 1, 1, 2, 2);
        string bias = b.Constant(new float[] { 10 }, 1);
        b.NodeWithOutputs("Conv", [x, w, bias], ["y"],
            OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("pads", 0, 0, 1, 1), OnnxAttribute.Ints("strides", 1, 1));
        b.AddOutput("y", OnnxElementType.Float, 1, 1, 3, 3);
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        float[] y = Run(b.ToBytes(), "x", input, [1, 1, 3, 3]);

        // Independent implementation: y[i,j] = x[i,j] - x[i+1,j+1] (zero padded at the bottom/right) + 10.
        var expected = new float[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                expected[i * 3 + j] = input[i * 3 + j] - (i < 2 && j < 2 ? input[(i + 1) * 3 + j + 1] : 0) + 10;
        Assert.Equal(expected, y);
    }

    [Fact]
    public void Gemm_WithTransposedWeightAndAlpha_MatchesHandComputation()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, "n", 3);
        string w = b.Constant(new float[] { 1, 0, 2, 0, 1, -1 }, 2, 3);
        string c = b.Constant(new float[] { 1, 2 }, 2);
        string y = b.Node("Gemm", [x, w, c], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 2f));
        b.AddOutput(y, OnnxElementType.Float, "n", 2);

        float[] result = Run(b.ToBytes(), "x", [1, 2, 3], [1, 3]);

        // 2·[1+6, 2-3] + [1,2] = [15, 0]
        Assert.Equal([15f, 0f], result);
    }

    [Fact]
    public void ReduceMean_OverSpatialAxes_GivesChannelMeans()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, "batch", 2, 2, 2);
        string y = b.Node("ReduceMean", [x], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        b.AddOutput(y, OnnxElementType.Float, "batch", 2);

        float[] result = Run(b.ToBytes(), "x", [1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);

        Assert.Equal([2.5f, 25f], result);
    }

    [Fact]
    public void TopK_WithDynamicBatch_ReturnsSmallestValuesAndIndices()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, "batch", 5);
        string k = b.Constant(new long[] { 2 }, 1);
        b.NodeWithOutputs("TopK", [x, k], ["values", "indices"], OnnxAttribute.Int("largest", 0), OnnxAttribute.Int("sorted", 1));
        b.AddOutput("values", OnnxElementType.Float, "batch", 2);
        b.AddOutput("indices", OnnxElementType.Int64, "batch", 2);
        byte[] model = b.ToBytes();
        OnnxModelChecker.Check(model);

        using var session = new InferenceSession(model);
        var input = NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(new float[] { 5, 1, 4, 0, 3, 9, 8, 7, 6, 10 }, [2, 5]));
        using var results = session.Run([input]);

        Assert.Equal([0f, 1f, 6f, 7f], results.First(r => r.Name == "values").AsEnumerable<float>().ToArray());
        Assert.Equal([3L, 1L, 3L, 2L], results.First(r => r.Name == "indices").AsEnumerable<long>().ToArray());
    }

    [Fact]
    public void Save_WritesLoadableFileAndMetadata()
    {
        string dir = Directory.CreateTempSubdirectory("reid-onnx-").FullName;
        try
        {
            var b = new OnnxGraphBuilder("identity");
            string x = b.AddInput("x", OnnxElementType.Float, 2);
            b.NodeWithOutputs("Identity", [x], ["y"]);
            b.AddOutput("y", OnnxElementType.Float, 2);
            b.SetMetadata("embeddingSize", "2");
            string path = Path.Combine(dir, "m.onnx");
            b.Save(path);

            using var session = new InferenceSession(path);
            Assert.Equal("2", session.ModelMetadata.CustomMetadataMap["embeddingSize"]);
            Assert.Equal(["x"], session.InputMetadata.Keys);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void UniqueName_NeverRepeatsAndAvoidsDeclaredNames()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput("const", OnnxElementType.Float, 1);
        var names = new HashSet<string> { "const" };
        for (int i = 0; i < 5; i++)
            Assert.True(names.Add(b.Constant(new float[] { i }, 1)));
    }

    [Fact]
    public void DuplicateValueName_IsRejected()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput("x", OnnxElementType.Float, 1);
        var ex = Assert.Throws<ArgumentException>(() => b.AddInitializer("x", new float[] { 1 }, 1));
        Assert.Contains("'x'", ex.Message);
    }

    [Fact]
    public void Initializer_WithWrongElementCount_IsRejected()
    {
        var b = new OnnxGraphBuilder();
        var ex = Assert.Throws<ArgumentException>(() => b.AddInitializer("w", new float[] { 1, 2, 3 }, 2, 2));
        Assert.Contains("needs 4 values but 3", ex.Message);
    }
}
