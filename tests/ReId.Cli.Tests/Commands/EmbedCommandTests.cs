using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Onnx;
using ReId.MLNet.Pipelines;
using SkiaSharp;

namespace ReId.Cli.Tests.Commands;

public class EmbedCommandTests : IDisposable
{
    // Model: GlobalAveragePool → Flatten → Gemm (3→2), so an image of one colour has a hand-computable embedding.
    private static readonly float[] Weight = [1, 0, 0, 1, 1, -1];
    private static readonly float[] Mean = [0.5f, 0.5f, 0.5f];
    private static readonly float[] Std = [0.25f, 0.5f, 0.25f];
    private readonly string _root = Directory.CreateTempSubdirectory("reid-embed-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Package()
    {
        var b = new OnnxGraphBuilder("tiny");
        string x = b.AddInput("input", OnnxElementType.Float, "batch", 3, 8, 4);
        string flat = b.Node("Flatten", [b.Node("GlobalAveragePool", [x])], OnnxAttribute.Int("axis", 1));
        b.NodeWithOutputs("Gemm", [flat, b.Constant(Weight, 3, 2), b.Constant([0f, 0f], 2)], ["feat"]);
        b.AddOutput("feat", OnnxElementType.Float, "batch", 2);
        string dir = Path.Combine(_root, "model");
        ModelPackage.Create(dir, b.ToBytes(), new ModelPackage
        {
            InputName = "input", OutputName = "feat", InputHeight = 8, InputWidth = 4,
            Mean = Mean, Std = Std, EmbeddingSize = 2, NormalizeOutput = false,
        });
        return dir;
    }

    private static void Jpeg(string path, SKColor colour, int width = 6, int height = 10)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        // PNG bytes keep the colour exact; the readers accept PNG content whatever the extension.
        File.WriteAllBytes(path, image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
    }

    private static float[] Expected(SKColor c)
    {
        double[] z = [(c.Red / 255.0 - Mean[0]) / Std[0], (c.Green / 255.0 - Mean[1]) / Std[1], (c.Blue / 255.0 - Mean[2]) / Std[2]];
        return [(float)(z[0] * Weight[0] + z[1] * Weight[2] + z[2] * Weight[4]), (float)(z[0] * Weight[1] + z[1] * Weight[3] + z[2] * Weight[5])];
    }

    /// <summary>Independent .npy reader: checks the header says little-endian float32 [N, D] in C order.</summary>
    private static (int Rows, int Cols, float[] Data) ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        int headerLength = bytes[6] == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int offset = bytes[6] == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        Assert.Contains("'fortran_order': False", header);
        var shape = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var dims = shape[..shape.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int dataStart = offset + headerLength;
        Assert.Equal(0, dataStart % 16);
        var data = new float[(bytes.Length - dataStart) / 4];
        Buffer.BlockCopy(bytes, dataStart, data, 0, data.Length * 4);
        return (dims[0], dims[1], data);
    }

    [Fact]
    public void ImagesFolder_WritesNpyAndSidecarInFileNameOrder()
    {
        var colours = new Dictionary<string, SKColor>
        {
            ["0002_c3s1_000010_00.jpg"] = new(250, 10, 10),
            ["0001_c1s1_000001_00.jpg"] = new(20, 200, 60),
            ["other.png"] = new(128, 64, 32),
        };
        string images = Path.Combine(_root, "images");
        foreach (var (name, colour) in colours)
            Jpeg(Path.Combine(images, name), colour);
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        string output = Path.Combine(_root, "out", "feats.npy");

        var (code, stdout, stderr) = CliRunner.Run("embed", "--model", Package(), "--images", images, "--out", output, "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(3, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("dimension").GetInt32());
        var (rows, cols, data) = ReadNpy(output);
        Assert.Equal((3, 2), (rows, cols));
        string[] order = ["0001_c1s1_000001_00.jpg", "0002_c3s1_000010_00.jpg", "other.png"];
        for (int i = 0; i < 3; i++)
        {
            float[] expected = Expected(colours[order[i]]);
            Assert.True(Math.Abs(expected[0] - data[i * 2]) < 1e-4 && Math.Abs(expected[1] - data[i * 2 + 1]) < 1e-4,
                $"{order[i]}: expected {expected[0]},{expected[1]} got {data[i * 2]},{data[i * 2 + 1]}");
        }
        string[] csv = File.ReadAllLines(Path.Combine(_root, "out", "feats.csv"));
        Assert.StartsWith("path,identity,camera", csv[0]);
        Assert.Equal(4, csv.Length);
        Assert.Contains("0001_c1s1_000001_00.jpg,1,1", csv[1]);
        Assert.Contains("0002_c3s1_000010_00.jpg,2,3", csv[2]);
        Assert.Contains("other.png,-1,-1", csv[3]);
    }

    [Fact]
    public void DatasetSplit_WithBatchedEngine_GivesTheSameFeaturesAsTheMlNetEngine()
    {
        string data = Path.Combine(_root, "market");
        var rng = new Random(3);
        foreach (var (dir, name) in new[]
        {
            ("bounding_box_train", "0001_c1s1_000001_00.jpg"), ("bounding_box_train", "0003_c2s1_000003_00.jpg"),
            ("query", "0004_c1s1_000004_00.jpg"), ("query", "0005_c2s1_000009_00.jpg"),
            ("bounding_box_test", "0004_c3s1_000005_00.jpg"), ("bounding_box_test", "0005_c1s1_000006_00.jpg"),
        })
            Jpeg(Path.Combine(data, dir, name), new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)), 5 + rng.Next(9), 5 + rng.Next(9));
        string model = Package();
        string a = Path.Combine(_root, "a.npy"), b = Path.Combine(_root, "b.npy");

        var first = CliRunner.Run("embed", "--model", model, "--data", data, "--format", "market1501", "--split", "gallery", "--out", a, "--engine", "mlnet");
        var second = CliRunner.Run("embed", "--model", model, "--data", data, "--format", "market1501", "--split", "gallery", "--out", b, "--engine", "batched", "--batch-size", "1");

        Assert.True(first.Code == 0, first.Err);
        Assert.True(second.Code == 0, second.Err);
        var (rows, _, fa) = ReadNpy(a);
        var (_, _, fb) = ReadNpy(b);
        Assert.Equal(2, rows);
        for (int i = 0; i < fa.Length; i++)
            Assert.True(Math.Abs(fa[i] - fb[i]) < 1e-5);
        string[] csv = File.ReadAllLines(Path.ChangeExtension(a, ".csv"));
        Assert.Contains(",4,3", csv[1]);
        Assert.Contains(",5,1", csv[2]);
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void SavedEmbedAndRankPipeline_LoadedInASeparateProcess_GivesIdenticalEmbeddings()
    {
        string images = Path.Combine(_root, "images");
        var rng = new Random(5);
        for (int i = 0; i < 5; i++)
            Jpeg(Path.Combine(images, $"{i:D4}_c1s1_000001_00.jpg"), new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)), 4 + i, 9 - i);
        string[] paths = Directory.GetFiles(images).Order(StringComparer.Ordinal).ToArray();
        string package = Package();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        var model = ml.Transforms.ReIdEmbed("Embedding", package, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ReIdRank("Top", [1, 0, 0, 1], 2, "Embedding", topK: 2))
            .Fit(data);
        float[] expected = model.Transform(data).GetColumn<VBuffer<float>>("Embedding").SelectMany(v => v.DenseValues()).ToArray();
        string zip = Path.Combine(_root, "pipeline.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(package, recursive: true);
        string output = Path.Combine(_root, "zip.npy");

        string reid = typeof(ReId.Cli.CliApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { reid, "embed", "--model", zip, "--images", images, "--out", output, "--json" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal(2, JsonDocument.Parse(stdout).RootElement.GetProperty("dimension").GetInt32());
        var (rows, cols, actual) = ReadNpy(output);
        Assert.Equal((5, 2), (rows, cols));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void MissingModel_ExitsWithCode2NamingIt()
    {
        string images = Path.Combine(_root, "images");
        Jpeg(Path.Combine(images, "a.png"), new SKColor(1, 2, 3));
        string missing = Path.Combine(_root, "nope", "model.onnx");

        var (code, _, stderr) = CliRunner.Run("embed", "--model", missing, "--images", images, "--out", Path.Combine(_root, "x.npy"));

        Assert.Equal(2, code);
        Assert.Contains(missing, stderr);
    }

    [Theory]
    [InlineData("mlnet")]
    [InlineData("batched")]
    public void CorruptImage_ExitsWithCode2NamingTheFile(string engine)
    {
        string images = Path.Combine(_root, "images");
        Jpeg(Path.Combine(images, "a.png"), new SKColor(1, 2, 3));
        File.WriteAllText(Path.Combine(images, "b_broken.jpg"), "not really a jpeg");

        var (code, _, stderr) = CliRunner.Run("embed", "--model", Package(), "--images", images, "--out", Path.Combine(_root, "x.npy"), "--engine", engine);

        Assert.True(code == 2, stderr);
        Assert.Contains("b_broken.jpg", stderr);
        Assert.False(File.Exists(Path.Combine(_root, "x.npy")));
    }

    [Fact]
    public void BothImagesAndData_IsAUsageError()
    {
        var (code, _, stderr) = CliRunner.Run("embed", "--model", Package(), "--images", _root, "--data", _root, "--format", "market1501", "--out", Path.Combine(_root, "x.npy"));

        Assert.Equal(2, code);
        Assert.Contains("exactly one of --images", stderr);
    }

    [Fact]
    public void RawOnnxWithoutMean_ExitsWithCode2NamingTheOption()
    {
        string images = Path.Combine(_root, "images");
        Jpeg(Path.Combine(images, "a.png"), new SKColor(1, 2, 3));
        string onnx = Path.Combine(Package(), "model.onnx");

        var (code, _, stderr) = CliRunner.Run("embed", "--model", onnx, "--images", images, "--out", Path.Combine(_root, "x.npy"));

        Assert.Equal(2, code);
        Assert.Contains("Mean", stderr);
    }
}
