using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Tests.Pipelines;

/// <summary>Models with a camera input: ids are mapped to positions inside the pipeline, the .zip carries the map.</summary>
public class CameraInputTests : IDisposable
{
    private readonly PipelineTestData _data = new();

    public void Dispose() => _data.Dispose();

    private sealed class CameraRow
    {
        public string ImagePath { get; set; } = "";
        public int Camera { get; set; }
    }

    private sealed class LongCameraRow
    {
        public string ImagePath { get; set; } = "";
        public long Cam { get; set; }
    }

    private sealed class TextCameraRow
    {
        public string ImagePath { get; set; } = "";
        public string Camera { get; set; } = "";
    }

    // Two colours, each seen by every training camera and by camera 3, which the model was not trained on.
    private (string Name, int Camera)[] Images()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        _data.SolidImage("b.png", 3, 9, 10, 220, 130);
        return [("a.png", 2), ("a.png", 5), ("a.png", 7), ("b.png", 7), ("b.png", 2), ("a.png", 3), ("b.png", 3)];
    }

    private static float[][] Column(MLContext ml, ITransformer model, IDataView input, string column = "Embedding") =>
        model.Transform(input).GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void ReIdEmbedWithACameraColumn_AddsEachCamerasRow_AndTheSavedZipReloadsIdentically()
    {
        var images = Images();
        string package = _data.CameraPackage();
        var ml = new MLContext(seed: 1);
        var rows = images.Select(i => new CameraRow { ImagePath = Path.Combine(_data.ImageDir, i.Name), Camera = i.Camera }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = package, CameraColumnName = "Camera" }, nameof(CameraRow.ImagePath)).Fit(data);
        var before = Column(ml, model, data);
        for (int i = 0; i < images.Length; i++)
            AssertClose(_data.ExpectedWithCamera(images[i].Name, images[i].Camera), before[i]);
        // The camera really matters: the same image under two cameras embeds differently.
        Assert.True(before[0].Zip(before[1], (x, y) => Math.Abs(x - y)).Max() > 0.05f);

        string zip = Path.Combine(_data.Root, "cameras.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(package, recursive: true);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out var schema);
        var after = Column(fresh, loaded, fresh.Data.LoadFromEnumerable(rows));

        Assert.Equal(["ImagePath", "Camera"], schema.Select(c => c.Name).ToArray());
        for (int i = 0; i < images.Length; i++)
            Assert.Equal(before[i], after[i]);
        Assert.Equal(["ImagePath", "Camera", "Embedding"], loaded.GetOutputSchema(schema).Where(c => !c.IsHidden).Select(c => c.Name).ToArray());
    }

    [Fact]
    public void ACameraIdTheModelWasNotTrainedOn_AddsNoCameraTerm()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        var ml = new MLContext(seed: 1);
        var rows = new[] { new CameraRow { ImagePath = Path.Combine(_data.ImageDir, "a.png"), Camera = 3 } };
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.CameraPackage(), CameraColumnName = "Camera" }, nameof(CameraRow.ImagePath)).Fit(data);

        AssertClose(_data.Expected("a.png"), Column(ml, model, data)[0]);
    }

    [Fact]
    public void ALongCameraColumnWithAnotherName_Works()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        var ml = new MLContext(seed: 1);
        var rows = new[] { new LongCameraRow { ImagePath = Path.Combine(_data.ImageDir, "a.png"), Cam = 5 } };
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.CameraPackage(), CameraColumnName = "Cam" }, nameof(LongCameraRow.ImagePath)).Fit(data);

        AssertClose(_data.ExpectedWithCamera("a.png", 5), Column(ml, model, data)[0]);
    }

    [Fact]
    public void APackageWithCamerasUsedWithoutACameraColumn_NamesTheOption()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>());
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.ReIdEmbed("Embedding", _data.CameraPackage(), nameof(ImageRow.ImagePath)).Fit(data));
        Assert.Contains("ReIdEmbedOptions.CameraColumnName", e.Message);
        Assert.Contains("2, 5, 7", e.Message);
    }

    [Fact]
    public void AMissingOrTextCameraColumn_IsNamedAtFit()
    {
        var ml = new MLContext(seed: 1);
        var noCamera = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>());
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.CameraPackage(), CameraColumnName = "Camera" }, nameof(ImageRow.ImagePath)).Fit(noCamera));
        Assert.Contains("'Camera'", missing.Message);
        Assert.Contains("CameraColumnName", missing.Message);

        var text = ml.Data.LoadFromEnumerable(Array.Empty<TextCameraRow>());
        var wrongType = Assert.Throws<ArgumentException>(() => ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.CameraPackage("p2"), CameraColumnName = "Camera" }, nameof(TextCameraRow.ImagePath)).Fit(text));
        Assert.Contains("'Camera'", wrongType.Message);
        Assert.Contains("integer", wrongType.Message);
    }

    [Fact]
    public void ACameraColumnIsIgnoredForAnImageOnlyModel()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new CameraRow { ImagePath = Path.Combine(_data.ImageDir, "a.png"), Camera = 5 } });
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.Package(), CameraColumnName = "Camera" }, nameof(CameraRow.ImagePath)).Fit(data);
        AssertClose(_data.Expected("a.png"), Column(ml, model, data)[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void OnnxEmbedder_FeedsCameraPositionsPerBatch(int batchSize)
    {
        var images = Images();
        using var embedder = new OnnxEmbedder(_data.CameraPackage(), batchSize: batchSize);
        Assert.True(embedder.UsesCameras);
        Assert.False(embedder.UsesViews);
        float[] e = embedder.Embed(images.Select(i => Path.Combine(_data.ImageDir, i.Name)).ToList(), images.Select(i => i.Camera).ToList(), null);
        for (int i = 0; i < images.Length; i++)
            AssertClose(_data.ExpectedWithCamera(images[i].Name, images[i].Camera), e.AsSpan(i * 4, 4).ToArray());

        var error = Assert.Throws<ArgumentException>(() => embedder.Embed([Path.Combine(_data.ImageDir, "a.png")]));
        Assert.Contains("camera", error.Message);
        Assert.Throws<ArgumentException>(() => embedder.Embed([Path.Combine(_data.ImageDir, "a.png")], [2, 5], null));
    }

    [Fact]
    public void MlNetChainEmbedder_FeedsCameras()
    {
        var images = Images();
        using var embedder = new MlNetChainEmbedder(_data.CameraPackage());
        Assert.True(((IImageEmbedder)embedder).UsesCameras);
        float[] e = embedder.Embed(images.Select(i => Path.Combine(_data.ImageDir, i.Name)).ToList(), images.Select(i => i.Camera).ToList(), null);
        for (int i = 0; i < images.Length; i++)
            AssertClose(_data.ExpectedWithCamera(images[i].Name, images[i].Camera), e.AsSpan(i * 4, 4).ToArray());
    }

    [Fact]
    public void ModelZip_OfACameraPackage_ReadsTheCameraColumn_AndEvaluationFeedsTheDatasetsCameras()
    {
        var images = Images();
        string zip = Path.Combine(_data.Root, "model.zip");
        ReIdModelZip.Create(_data.CameraPackage(), zip);
        using var embedder = ReIdModelZip.Open(zip);
        Assert.True(embedder.UsesCameras);
        Assert.False(embedder.UsesViews);

        var samples = images.Select(i => new ReIdSample(Path.Combine(_data.ImageDir, i.Name), 1, i.Camera, DatasetSplit.Query)).ToList();
        var features = ModelEvaluation.Embed(embedder, samples);
        for (int i = 0; i < images.Length; i++)
            AssertClose(_data.ExpectedWithCamera(images[i].Name, images[i].Camera), features.Features.AsSpan(i * 4, 4).ToArray());
        Assert.Throws<ArgumentException>(() => embedder.Embed([samples[0].ImagePath]));
    }

    [Fact]
    public void ModelZip_OfAnImageOnlyPackage_KeepsItsOneColumnSchema()
    {
        string zip = Path.Combine(_data.Root, "model.zip");
        ReIdModelZip.Create(_data.Package(), zip);
        new MLContext().Model.Load(zip, out var schema);
        Assert.Equal(["ImagePath"], schema.Select(c => c.Name).ToArray());
        using var embedder = ReIdModelZip.Open(zip);
        Assert.False(embedder.UsesCameras);
    }

    [Fact]
    public void SavedPipeline_WithAnUnreadCameraColumn_DoesNotAskForCameras()
    {
        // Fitted on whole rows (ImagePath and Camera) with an image-only model: Camera is in the schema but never read.
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<CameraRow>());
        var model = ml.Transforms.ReIdEmbed("Embedding", _data.Package(), nameof(CameraRow.ImagePath)).Fit(data);
        string zip = Path.Combine(_data.Root, "plain.zip");
        ml.Model.Save(model, data.Schema, zip);
        using var embedder = new SavedPipelineEmbedder(zip, "Embedding", "ImagePath");
        Assert.False(embedder.UsesCameras);
        AssertClose(_data.Expected("a.png"), embedder.Embed([Path.Combine(_data.ImageDir, "a.png")]));
    }

    [Fact]
    public void PackageCameraFields_RoundTrip_AndBadIdsAreNamed()
    {
        var package = ModelPackage.Read(_data.CameraPackage());
        Assert.Equal("cameras", package.CameraInputName);
        Assert.Equal([2, 5, 7], package.CameraIds!);
        Assert.Null(package.ViewInputName);
        Assert.Null(package.ViewIds);
        Assert.Null(ModelPackage.Read(_data.Package()).CameraInputName);
        Assert.DoesNotContain("camera", File.ReadAllText(Path.Combine(_data.Package("plain2"), "model.json")));

        string dir = _data.CameraPackage("bad");
        string json = Path.Combine(dir, "model.json");
        void SetIds(params int[] ids)
        {
            var root = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
            root["cameraIds"] = new System.Text.Json.Nodes.JsonArray(ids.Select(i => (System.Text.Json.Nodes.JsonNode)i).ToArray());
            File.WriteAllText(json, root.ToJsonString());
        }
        SetIds(5, 2);
        var e = Assert.Throws<InvalidDataException>(() => ModelPackage.Read(dir));
        Assert.Contains("\"cameraIds\" must be strictly ascending", e.Message);
        Assert.Contains(json, e.Message);
        SetIds();
        e = Assert.Throws<InvalidDataException>(() => ModelPackage.Read(dir));
        Assert.Contains("\"cameraIds\"", e.Message);
    }

    [Fact]
    public void APackageNamingACameraInputTheModelLacks_IsAnError()
    {
        string dir = Path.Combine(_data.Root, "lying");
        ModelPackage.Create(dir, PipelineTestData.TinyEmbeddingModel(), ModelPackage.Read(_data.Package()) with
        {
            OnnxPath = null, CameraInputName = "cameras", CameraIds = [1, 2],
        });
        var e = Assert.Throws<InvalidDataException>(() => new OnnxEmbedder(dir));
        Assert.Contains("'cameras'", e.Message);
    }

    [Fact]
    public void SortedIdIndex_GivesAscendingPositions_AndMinusOneForUnknownIds()
    {
        var index = new SortedIdIndex([7, 2, 5, 2]);
        Assert.Equal([2, 5, 7], index.Ids);
        Assert.Equal([0L, 1L, 2L, -1L, -1L], new[] { 2, 5, 7, 3, 0 }.Select(index.IndexOf).ToArray());
    }
}
