using ReId.MLNet.Onnx;

namespace ReId.MLNet.Tests.Pipelines;

public class ModelPackageTests : IDisposable
{
    private readonly PipelineTestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void WrittenPackage_ReadsBackAllFields()
    {
        string dir = _data.Package(normalize: false);

        var package = ModelPackage.Read(dir);

        Assert.Equal("pixels", package.InputName);
        Assert.Equal("embedding", package.OutputName);
        Assert.Equal((4, 4, 4), (package.InputHeight, package.InputWidth, package.EmbeddingSize));
        Assert.Equal(PipelineTestData.Mean, package.Mean);
        Assert.Equal(PipelineTestData.Std, package.Std);
        Assert.False(package.NormalizeOutput);
        Assert.Equal("tiny-gap-gemm", package.Architecture);
        Assert.Equal(Path.Combine(dir, "model.onnx"), package.OnnxPath);
        Assert.Equal(package.OnnxPath, ModelPackage.Read(Path.Combine(dir, "model.json")).OnnxPath);
    }

    [Fact]
    public void MissingField_IsReportedWithFileAndFieldName()
    {
        string dir = _data.Package();
        string json = Path.Combine(dir, "model.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"embeddingSize\"", "\"embeddingSizeTypo\""));

        var ex = Assert.Throws<InvalidDataException>(() => ModelPackage.Read(dir));

        Assert.Contains(json, ex.Message);
        Assert.Contains("\"embeddingSize\"", ex.Message);
    }

    [Fact]
    public void WrongMeanLength_IsReported()
    {
        string dir = _data.Package();
        string json = Path.Combine(dir, "model.json");
        var text = File.ReadAllText(json);
        int start = text.IndexOf("\"mean\"", StringComparison.Ordinal);
        int end = text.IndexOf(']', start);
        File.WriteAllText(json, text[..start] + "\"mean\": [0.5, 0.5" + text[end..]);

        var ex = Assert.Throws<InvalidDataException>(() => ModelPackage.Read(dir));

        Assert.Contains("\"mean\" must have 3 values", ex.Message);
    }

    [Fact]
    public void MissingOnnxFile_IsReportedAsFileNotFound()
    {
        string dir = _data.Package();
        File.Delete(Path.Combine(dir, "model.onnx"));

        var ex = Assert.Throws<FileNotFoundException>(() => ModelPackage.Read(dir));

        Assert.Contains("model.onnx", ex.Message);
    }

    [Fact]
    public void InvalidJson_IsReportedWithFileName()
    {
        string dir = _data.Package();
        string json = Path.Combine(dir, "model.json");
        File.WriteAllText(json, "{ not json");

        var ex = Assert.Throws<InvalidDataException>(() => ModelPackage.Read(dir));

        Assert.Contains(json, ex.Message);
    }
}
