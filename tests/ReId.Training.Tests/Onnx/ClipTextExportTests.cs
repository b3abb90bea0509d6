using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;
using ReId.Training.Models.Text;
using ReId.Training.Onnx;
using ReId.Training.Tests.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Onnx;

public sealed class ClipTextExportTests
{
    private static float MaxDiffUnderOrt(byte[] model, ClipTextTransformer module, int batch)
    {
        int l = module.Options.ContextLength, v = module.Options.VocabSize;
        var ids = ClipTextTransformerTests.RandomIds(batch, l, v, seed: 100 + batch).Cast<long>().ToArray();
        using var x = torch.tensor(ids, [batch, l], ScalarType.Int64);
        using var expected = module.forward(x);
        using var session = new InferenceSession(model);
        var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(ids, [batch, l]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(ClipTextExporter.InputName, input)]);
        var output = results.Single();
        Assert.Equal(ClipTextExporter.OutputName, output.Name);
        var got = output.AsEnumerable<float>().ToArray();
        var exp = expected.data<float>().ToArray();
        Assert.Equal(exp.Length, got.Length);
        // Max() would skip NaN; the −∞ causal mask must not produce any.
        Assert.All(got, value => Assert.True(float.IsFinite(value)));
        return exp.Zip(got, (a, b) => Math.Abs(a - b)).Max();
    }

    [Theory]
    [InlineData(24)]
    [InlineData(0)]
    public void ExportedTextEncoderPassesTheCheckerAndMatchesTorchUnderOnnxRuntime(int output)
    {
        using var m = ClipTextTransformerTests.Randomised(new ClipTextOptions
        {
            VocabSize = 50, ContextLength = 12, Width = 64, Layers = 2, Heads = 2, OutputDim = output,
        }, seed: 9);
        var bytes = ClipTextExporter.Export(m);
        OnnxModelChecker.Check(bytes);
        foreach (int batch in new[] { 1, 3 })
            Assert.True(MaxDiffUnderOrt(bytes, m, batch) < 1e-4);
    }
}
