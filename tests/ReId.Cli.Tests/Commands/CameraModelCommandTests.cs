using System.Text.Json;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;
using ReId.Training.Models.Backbones;
using ReId.Training.Onnx;
using TorchSharp;

namespace ReId.Cli.Tests.Commands;

/// <summary>`reid embed` and `reid eval --model` with a model that has SIE camera embeddings: the dataset's cameras are fed.</summary>
public sealed class CameraModelCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-cameras-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    /// <summary>A synthetic Market-1501 folder (cameras 1..3) and a package of a small random SIE ViT trained-on cameras 1..3.</summary>
    private (string Data, string Package) Setup()
    {
        string data = Path.Combine(_root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 6, Seed = 2, Cameras = 3, ImagesPerIdentityPerCamera = (1, 2) }, data);
        torch.manual_seed(3);
        using var vit = new ClipVisionTransformer(new ClipVisionOptions
        {
            Width = 64, Layers = 1, PatchSize = 8, InputHeight = 32, InputWidth = 16, OutputDim = 16, CameraCount = 3, CameraCoefficient = 3f,
        });
        vit.eval();
        var cameras = DatasetFormats.Load("market1501", data).Train.Select(s => s.Camera);
        string package = Path.Combine(_root, "package");
        ModelPackageExporter.Write(package, vit, 32, 16, 16, "clip-vit-sie", resize: "bilinear", cameraIds: cameras);
        return (data, package);
    }

    [Theory]
    [InlineData("mlnet")]
    [InlineData("batched")]
    public void EmbedFeedsTheDatasetsCameras(string engine)
    {
        var (data, package) = Setup();
        string output = Path.Combine(_root, "q.npy");
        var (code, _, err) = CliRunner.Run("embed", "--model", package, "--data", data, "--format", "market1501", "--split", "query", "--out", output, "--engine", engine);
        Assert.True(code == 0, err);

        var query = DatasetFormats.Load("market1501", data).Query;
        var written = FeatureFile.Read(output);
        using var embedder = new OnnxEmbedder(package);
        float[] withCameras = embedder.Embed(query.Select(s => s.ImagePath).ToList(), query.Select(s => s.Camera).ToList(), null);
        float[] allCameraOne = embedder.Embed(query.Select(s => s.ImagePath).ToList(), query.Select(_ => 1).ToList(), null);
        Assert.Equal(query.Select(s => s.Camera), written.Cameras);
        Assert.True(withCameras.Zip(written.Features, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
        Assert.True(allCameraOne.Zip(written.Features, (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public void EvalOfARunFolderFeedsTheDatasetsCamerasToItsZip()
    {
        var (data, package) = Setup();
        string run = Directory.CreateDirectory(Path.Combine(_root, "run")).FullName;
        ReIdModelZip.Create(package, Path.Combine(run, "model.zip"));
        var (code, output, err) = CliRunner.Run("eval", "--model", run, "--data", data, "--format", "market1501", "--json");
        Assert.True(code == 0, err);

        using var embedder = new OnnxEmbedder(package);
        var expected = ModelEvaluation.Evaluate(embedder, DatasetFormats.Load("market1501", data));
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(expected.MeanAveragePrecision, doc.RootElement.GetProperty("mAP").GetDouble(), 4);
    }

    [Fact]
    public void EmbeddingImagesWithoutKnownCamerasIsABadInput()
    {
        var (_, package) = Setup();
        string images = Directory.CreateDirectory(Path.Combine(_root, "plain")).FullName;
        File.Copy(DatasetFormats.Load("market1501", Path.Combine(_root, "data")).Query[0].ImagePath, Path.Combine(images, "photo.jpg"));
        var (code, _, err) = CliRunner.Run("embed", "--model", package, "--images", images, "--out", Path.Combine(_root, "x.npy"));
        Assert.Equal(2, code);
        Assert.Contains("camera", err);
        Assert.DoesNotContain("   at ", err);
    }
}
