using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using SkiaSharp;

namespace ReId.MLNet.Tests.Pipelines;

public class ReIdEmbedTests : IDisposable
{
    private readonly PipelineTestData _data = new();

    public void Dispose() => _data.Dispose();

    private string[] WriteImages()
    {
        _data.SolidImage("a.png", 10, 7, 200, 100, 50);
        _data.SolidImage("b.png", 3, 9, 10, 220, 130);
        _data.QuadrantImage("c.png", [new SKColor(255, 0, 0), new SKColor(0, 255, 0), new SKColor(0, 0, 255), new SKColor(40, 80, 120)]);
        return ["a.png", "b.png", "c.png"];
    }

    private static float[][] Embeddings(MLContext ml, ITransformer model, IEnumerable<ImageRow> rows, string column = "Embedding")
    {
        var output = model.Transform(ml.Data.LoadFromEnumerable(rows));
        return output.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void FromPackage_RelativePathsAndImageFolder_MatchHandComputedEmbeddings()
    {
        string[] names = WriteImages();
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.Package(), ImageFolder = _data.ImageDir }, nameof(ImageRow.ImagePath));
        var rows = names.Select(n => new ImageRow { ImagePath = n }).ToArray();

        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows));
        var embeddings = Embeddings(ml, model, rows);

        for (int i = 0; i < names.Length; i++)
            AssertClose(_data.Expected(names[i]), embeddings[i]);
        var column = model.GetOutputSchema(ml.Data.LoadFromEnumerable(rows).Schema)["Embedding"];
        Assert.Equal(PipelineTestData.EmbeddingSize, ((VectorDataViewType)column.Type).Size);
    }

    [Fact]
    public void SavedZip_LoadedInNewContextAfterModelFilesAreGone_GivesSameEmbeddings()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        string package = _data.Package();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", package, nameof(ImageRow.ImagePath)).Fit(data);
        var before = Embeddings(ml, model, rows);
        string zip = Path.Combine(_data.Root, "embed.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(package, recursive: true);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out var schema);
        var after = Embeddings(fresh, loaded, rows);

        Assert.Equal(nameof(ImageRow.ImagePath), Assert.Single(schema).Name);
        for (int i = 0; i < names.Length; i++)
            Assert.Equal(before[i], after[i]);
        // Only the input and the embedding are visible: intermediate columns are dropped.
        var outSchema = loaded.GetOutputSchema(schema);
        Assert.Equal(["ImagePath", "Embedding"], outSchema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray());
    }

    [Fact]
    public void EmbedThenRank_SavedAndReloaded_GivesIdenticalEmbeddingsAndRankings()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        string package = _data.Package();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        float[] gallery = names.SelectMany(n => _data.Expected(n)).ToArray();
        var model = ml.Transforms.ReIdEmbed("Embedding", package, nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ReIdRank("Top", gallery, PipelineTestData.EmbeddingSize, "Embedding", [10, 11, 12], topK: 2))
            .Fit(data);
        string zip = Path.Combine(_data.Root, "embed-rank.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(package, recursive: true);
        var fresh = new MLContext(seed: 9);
        var loaded = fresh.Model.Load(zip, out _);

        foreach (var (context, transformer) in new[] { (ml, (ITransformer)model), (fresh, loaded) })
        {
            var output = transformer.Transform(context.Data.LoadFromEnumerable(rows));
            var embeddings = output.GetColumn<VBuffer<float>>("Embedding").Select(v => v.DenseValues().ToArray()).ToArray();
            var top = output.GetColumn<VBuffer<long>>("TopIdentities").Select(v => v.DenseValues().ToArray()).ToArray();
            var distances = output.GetColumn<VBuffer<float>>("TopDistances").Select(v => v.DenseValues().ToArray()).ToArray();
            for (int i = 0; i < names.Length; i++)
            {
                AssertClose(_data.Expected(names[i]), embeddings[i]);
                Assert.Equal(10 + i, top[i][0]);
                Assert.True(Math.Abs(distances[i][0]) < 1e-5, $"self-distance {distances[i][0]}");
            }
        }
    }

    [Fact]
    public void GpuDeviceWithCpuFallback_RunsOnCpuHere()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        var ml = new MLContext();
        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPath = _data.Package(), GpuDeviceId = 0, FallbackToCpu = true }, nameof(ImageRow.ImagePath)).Fit(ml.Data.LoadFromEnumerable(rows));

        var embeddings = Embeddings(ml, model, rows);

        AssertClose(_data.Expected(names[0]), embeddings[0]);
    }

    [Fact]
    public void BgrPackage_FeedsChannelsInReverseOrder()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.ReIdEmbed("Embedding", _data.Package("bgr", channelOrder: "BGR"), nameof(ImageRow.ImagePath))
            .Fit(ml.Data.LoadFromEnumerable(rows));

        var embeddings = Embeddings(ml, model, rows);

        for (int i = 0; i < names.Length; i++)
            AssertClose(_data.Expected(names[i], bgr: true), embeddings[i]);
    }

    [Fact]
    public void RawOnnxWithExplicitOptions_WithoutNormalisation_GivesRawModelOutput()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        string onnx = Path.Combine(_data.Root, "raw.onnx");
        File.WriteAllBytes(onnx, PipelineTestData.TinyEmbeddingModel());
        var ml = new MLContext(seed: 1);
        var options = new ReIdEmbedOptions
        {
            ModelPath = onnx,
            InputHeight = PipelineTestData.Height,
            InputWidth = PipelineTestData.Width,
            Mean = PipelineTestData.Mean,
            Std = PipelineTestData.Std,
            NormalizeOutput = false,
        };

        var model = ml.Transforms.ReIdEmbed("Embedding", options, nameof(ImageRow.ImagePath)).Fit(ml.Data.LoadFromEnumerable(rows));

        var embeddings = Embeddings(ml, model, rows);
        for (int i = 0; i < names.Length; i++)
            AssertClose(_data.Expected(names[i], normalize: false), embeddings[i]);
    }

    [Fact]
    public void LoadedImageColumn_IsUsedWithoutLoadingAgain()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.LoadImages("Image", null, nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ReIdEmbed("Embedding", _data.Package(), "Image"));

        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows));

        var embeddings = Embeddings(ml, model, rows);
        for (int i = 0; i < names.Length; i++)
            AssertClose(_data.Expected(names[i]), embeddings[i]);
    }

    [Fact]
    public void ModelPackageObject_WithRawOnnxPath_IsUsed()
    {
        string[] names = WriteImages();
        var rows = names.Select(n => new ImageRow { ImagePath = Path.Combine(_data.ImageDir, n) }).ToArray();
        var package = ModelPackage.Read(_data.Package());
        var ml = new MLContext();

        var model = ml.Transforms.ReIdEmbed("Embedding", new ReIdEmbedOptions { ModelPackage = package }, nameof(ImageRow.ImagePath))
            .Fit(ml.Data.LoadFromEnumerable(rows));

        AssertClose(_data.Expected(names[2]), Embeddings(ml, model, rows)[2]);
    }

    [Fact]
    public void RawOnnxWithoutMean_ThrowsNamingTheMissingOption()
    {
        string onnx = Path.Combine(_data.Root, "raw.onnx");
        File.WriteAllBytes(onnx, PipelineTestData.TinyEmbeddingModel());
        var ml = new MLContext();

        var ex = Assert.Throws<ArgumentException>(() => ml.Transforms.ReIdEmbed("Embedding", onnx, "ImagePath"));

        Assert.Contains("ReIdEmbedOptions.Mean", ex.Message);
    }

    [Fact]
    public void RawOnnxWithDynamicSizeAndNoSize_ThrowsNamingInputHeight()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, "n", 3, "h", "w");
        string y = b.Node("GlobalAveragePool", [x]);
        b.AddOutput(y, OnnxElementType.Float, "n", 3, 1, 1);
        string onnx = Path.Combine(_data.Root, "dyn.onnx");
        b.Save(onnx);

        var ex = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ReIdEmbed("E", new ReIdEmbedOptions { ModelPath = onnx, Mean = PipelineTestData.Mean, Std = PipelineTestData.Std }, "ImagePath"));

        Assert.Contains("InputHeight", ex.Message);
    }

    [Fact]
    public void MissingModelFile_ThrowsFileNotFoundNamingIt()
    {
        string missing = Path.Combine(_data.Root, "nope.onnx");

        var ex = Assert.Throws<FileNotFoundException>(() => new MLContext().Transforms.ReIdEmbed("E", missing, "ImagePath"));

        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void FileThatIsNotOnnx_ThrowsInvalidDataNamingIt()
    {
        string bogus = Path.Combine(_data.Root, "bogus.onnx");
        File.WriteAllText(bogus, "this is a text file, not a model");

        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Transforms.ReIdEmbed("E", new ReIdEmbedOptions { ModelPath = bogus, InputHeight = 4, InputWidth = 4, Mean = PipelineTestData.Mean, Std = PipelineTestData.Std }, "ImagePath"));

        Assert.Contains(bogus, ex.Message);
    }

    [Fact]
    public void InputSizeThatContradictsTheModel_IsRejected()
    {
        string onnx = Path.Combine(_data.Root, "fixed.onnx");
        File.WriteAllBytes(onnx, PipelineTestData.TinyEmbeddingModel());

        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Transforms.ReIdEmbed("E", new ReIdEmbedOptions { ModelPath = onnx, InputHeight = 8, InputWidth = 4, Mean = PipelineTestData.Mean, Std = PipelineTestData.Std }, "ImagePath"));

        Assert.Contains("8×4", ex.Message);
    }

    [Fact]
    public void UnknownOutputName_IsRejectedListingTheOutputs()
    {
        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Transforms.ReIdEmbed("E", new ReIdEmbedOptions { ModelPath = _data.Package(), OutputName = "logits" }, "ImagePath"));

        Assert.Contains("'logits'", ex.Message);
        Assert.Contains("'embedding'", ex.Message);
    }

    [Fact]
    public void MissingImage_FailsNamingTheFile()
    {
        WriteImages();
        var rows = new[] { new ImageRow { ImagePath = Path.Combine(_data.ImageDir, "missing.png") } };
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ReIdEmbed("Embedding", _data.Package(), nameof(ImageRow.ImagePath)).Fit(data);

        var ex = Record.Exception(() => Embeddings(ml, model, rows));

        Assert.NotNull(ex);
        Assert.Contains("missing.png", ex.ToString());
    }
}
