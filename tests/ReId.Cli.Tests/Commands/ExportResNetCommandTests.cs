using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ReId.MLNet.Onnx;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Weights;
using TorchSharp;


namespace ReId.Cli.Tests.Commands;

public sealed class ExportResNetCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("export-resnet-cmd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BagOfTricksModel TrainedLooking()
    {
        torch.manual_seed(11);
        var m = new BagOfTricksModel(ResNet.Create("resnet18"), classes: 7);
        m.train();
        using (torch.no_grad())
            for (int i = 0; i < 2; i++) m.forward(torch.randn(4, 3, 64, 32) * 2f + 0.3f).Dispose();
        m.eval();
        return m;
    }

    private static float[] RunOnnx(string onnx, torch.Tensor input)
    {
        using var session = new InferenceSession(onnx);
        var data = input.contiguous().data<float>().ToArray();
        var dims = input.shape.Select(d => (int)d).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), new DenseTensor<float>(data, dims))]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void ExportsATrainingCheckpointSkippingOptimiserAndClassifierTensors()
    {
        using var model = TrainedLooking();
        var tensors = StateDictIO.ToTensors(model);
        tensors.Add(StateDictIO.ToSafetensors("optimizer/0.exp_avg", torch.zeros(3)));
        string weights = Path.Combine(_dir, "epoch-004.safetensors");
        new SafetensorsFile(tensors).Write(weights);

        var (code, stdout, stderr) = CliRunner.Run("export", "--backbone", "resnet18", "--weights", weights, "--input-size", "64x32", "--out", Path.Combine(_dir, "pkg"));

        Assert.True(code == 0, stderr);
        Assert.Contains("ignored 2 tensors", stdout);
        var package = ModelPackage.Read(Path.Combine(_dir, "pkg"));
        Assert.Equal((64, 32, 512), (package.InputHeight, package.InputWidth, package.EmbeddingSize));
        Assert.Equal(0.485f, package.Mean[0]);
        torch.manual_seed(12);
        using var x = torch.randn(2, 3, 64, 32);
        using var noGrad = torch.no_grad();
        using var expected = model.forward(x);
        var got = RunOnnx(Path.Combine(_dir, "pkg", ModelPackage.OnnxFileName), x);
        var want = expected.data<float>().ToArray();
        Assert.Equal(want.Length, got.Length);
        Assert.True(want.Zip(got).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }

    [Fact]
    public void APlainTorchvisionBackboneEmbedsWithAveragePooling()
    {
        torch.manual_seed(13);
        using var backbone = ResNet.Create("resnet18");
        backbone.eval();
        var tensors = StateDictIO.ToTensors(backbone);
        tensors.Add(StateDictIO.ToSafetensors("fc.weight", torch.randn(10, 512)));
        tensors.Add(StateDictIO.ToSafetensors("fc.bias", torch.randn(10)));
        string weights = Path.Combine(_dir, "resnet18.safetensors");
        new SafetensorsFile(tensors).Write(weights);

        var (code, _, stderr) = CliRunner.Run("export", "--backbone", "resnet18", "--weights", weights, "--input-size", "64x32", "--out", Path.Combine(_dir, "plain", "model.onnx"));

        Assert.True(code == 0, stderr);
        using var x = torch.randn(1, 3, 64, 32);
        using var noGrad = torch.no_grad();
        using var map = backbone.forward(x);
        using var pooled = map.mean([2, 3]);
        var want = pooled.data<float>().ToArray();
        var got = RunOnnx(Path.Combine(_dir, "plain", ModelPackage.OnnxFileName), x);
        Assert.True(want.Zip(got).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }

    [Fact]
    public void WeightsOfAnotherArchitectureOrAMissingSizeExitWithTwo()
    {
        torch.manual_seed(14);
        using var other = ResNet.Create("resnet34");
        string weights = Path.Combine(_dir, "resnet34.safetensors");
        new SafetensorsFile(StateDictIO.ToTensors(other)).Write(weights);
        var (code, _, stderr) = CliRunner.Run("export", "--backbone", "resnet18", "--weights", weights, "--input-size", "64x32", "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains("resnet34.safetensors", stderr);
        Assert.Contains("--backbone", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "bad", ModelPackage.OnnxFileName)));
        (code, _, stderr) = CliRunner.Run("export", "--backbone", "resnet34", "--weights", weights, "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains("--input-size", stderr);
    }
}
