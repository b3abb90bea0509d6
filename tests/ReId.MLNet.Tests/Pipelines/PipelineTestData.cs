using ReId.MLNet.Onnx;
using SkiaSharp;

namespace ReId.MLNet.Tests.Pipelines;

/// <summary>Tiny real images and a tiny real ONNX "model" whose output can be computed by hand from the pixels.</summary>
internal sealed class PipelineTestData : IDisposable
{
    public const int Height = 4;
    public const int Width = 4;
    public const int EmbeddingSize = 4;

    // Gemm weight [3, 4] and bias [4]: embedding = z·W + b where z is the per-channel mean of the normalised input.
    public static readonly float[] Weight = [1, 0, 2, -1, 0, 1, -1, 0.5f, 0.5f, -2, 0, 1];
    public static readonly float[] Bias = [0.1f, -0.2f, 0.3f, 0];
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public PipelineTestData()
    {
        Root = Directory.CreateTempSubdirectory("reid-pipeline-").FullName;
        ImageDir = Directory.CreateDirectory(Path.Combine(Root, "images")).FullName;
    }

    public string Root { get; }

    public string ImageDir { get; }

    /// <summary>Per image (file name), its per-channel mean RGB on 0..255, which is what GlobalAveragePool sees (scaled).</summary>
    public Dictionary<string, double[]> MeanRgb { get; } = [];

    /// <summary>Writes a PNG of uniform colour (resizing keeps a uniform colour exact).</summary>
    public string SolidImage(string name, int width, int height, byte r, byte g, byte b)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(r, g, b));
        MeanRgb[name] = [r, g, b];
        return Save(bitmap, name);
    }

    /// <summary>Writes a model-sized PNG with four coloured quadrants (no resampling needed).</summary>
    public string QuadrantImage(string name, SKColor[] quadrants)
    {
        using var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                bitmap.SetPixel(x, y, quadrants[(y < Height / 2 ? 0 : 2) + (x < Width / 2 ? 0 : 1)]);
        MeanRgb[name] = [quadrants.Average(c => c.Red), quadrants.Average(c => c.Green), quadrants.Average(c => c.Blue)];
        return Save(bitmap, name);
    }

    private string Save(SKBitmap bitmap, string name)
    {
        string path = Path.Combine(ImageDir, name);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>GlobalAveragePool → Flatten → Gemm: input "pixels" [batch,3,H,W] → "embedding" [batch,4].</summary>
    public static byte[] TinyEmbeddingModel(int height = Height, int width = Width)
    {
        var b = new OnnxGraphBuilder("tiny_reid");
        string x = b.AddInput("pixels", OnnxElementType.Float, "batch", 3, height, width);
        string pooled = b.Node("GlobalAveragePool", [x]);
        string flat = b.Node("Flatten", [pooled], OnnxAttribute.Int("axis", 1));
        string w = b.AddInitializer("w", Weight, 3, EmbeddingSize);
        string bias = b.AddInitializer("b", Bias, EmbeddingSize);
        b.NodeWithOutputs("Gemm", [flat, w, bias], ["embedding"]);
        b.AddOutput("embedding", OnnxElementType.Float, "batch", EmbeddingSize);
        return b.ToBytes();
    }

    /// <summary>Writes a model package folder for <see cref="TinyEmbeddingModel"/>.</summary>
    public string Package(string name = "package", string channelOrder = "RGB", bool normalize = true)
    {
        string dir = Path.Combine(Root, name);
        ModelPackage.Create(dir, TinyEmbeddingModel(), new ModelPackage
        {
            InputName = "pixels",
            OutputName = "embedding",
            InputHeight = Height,
            InputWidth = Width,
            Mean = Mean,
            Std = Std,
            EmbeddingSize = EmbeddingSize,
            ChannelOrder = channelOrder,
            Resize = "bilinear",
            NormalizeOutput = normalize,
            Architecture = "tiny-gap-gemm",
            CreatedBy = "tests",
        });
        return dir;
    }

    /// <summary>Camera embedding table [3, 4] of <see cref="TinyCameraModel"/>, one row per training camera id in <see cref="CameraIds"/>.</summary>
    public static readonly float[] CameraTable = [0.5f, -1, 0, 2, -0.25f, 0, 1.5f, -1, 1, 1, -1, 0.5f];

    /// <summary>The (unsorted, gapped) training camera ids of <see cref="CameraPackage"/>; positions are their ascending order 2, 5, 7.</summary>
    public static readonly int[] CameraIds = [7, 2, 5];

    /// <summary>
    /// <see cref="TinyEmbeddingModel"/> plus a camera term: embedding = z·W + b + T[position], where position is the int64
    /// "cameras" input and −1 picks an appended zero row (the contract of models exported by ReId.Training).
    /// </summary>
    public static byte[] TinyCameraModel()
    {
        var b = new OnnxGraphBuilder("tiny_reid_cameras");
        string x = b.AddInput("pixels", OnnxElementType.Float, "batch", 3, Height, Width);
        string cameras = b.AddInput("cameras", OnnxElementType.Int64, "batch");
        string pooled = b.Node("GlobalAveragePool", [x]);
        string flat = b.Node("Flatten", [pooled], OnnxAttribute.Int("axis", 1));
        string w = b.AddInitializer("w", Weight, 3, EmbeddingSize);
        string bias = b.AddInitializer("b", Bias, EmbeddingSize);
        string gemm = b.Node("Gemm", [flat, w, bias]);
        string table = b.AddInitializer("cameras_table", [.. CameraTable, 0, 0, 0, 0], 4, EmbeddingSize);
        string cam = b.Node("Gather", [table, cameras], OnnxAttribute.Int("axis", 0));
        b.NodeWithOutputs("Add", [gemm, cam], ["embedding"]);
        b.AddOutput("embedding", OnnxElementType.Float, "batch", EmbeddingSize);
        return b.ToBytes();
    }

    /// <summary>Writes a model package folder for <see cref="TinyCameraModel"/> with training camera ids <see cref="CameraIds"/>.</summary>
    public string CameraPackage(string name = "camera-package")
    {
        string dir = Path.Combine(Root, name);
        ModelPackage.Create(dir, TinyCameraModel(), new ModelPackage
        {
            InputName = "pixels",
            OutputName = "embedding",
            InputHeight = Height,
            InputWidth = Width,
            Mean = Mean,
            Std = Std,
            EmbeddingSize = EmbeddingSize,
            Resize = "bilinear",
            Architecture = "tiny-gap-gemm-cameras",
            CameraInputName = "cameras",
            CameraIds = [.. CameraIds.Order()],
        });
        return dir;
    }

    /// <summary>Independent computation of the camera model's embedding: the image term plus the camera's row (none for an unknown id).</summary>
    public float[] ExpectedWithCamera(string name, int cameraId)
    {
        var raw = Expected(name, normalize: false);
        int position = Array.IndexOf(CameraIds.Order().ToArray(), cameraId);
        var e = raw.Select((v, j) => (double)v + (position >= 0 ? CameraTable[position * EmbeddingSize + j] : 0)).ToArray();
        double norm = Math.Sqrt(e.Sum(v => v * v));
        return e.Select(v => (float)(v / norm)).ToArray();
    }

    /// <summary>Independent computation of the embedding from the image's mean colour.</summary>
    public float[] Expected(string name, bool bgr = false, bool normalize = true)
    {
        double[] rgb = MeanRgb[name];
        double[] channels = bgr ? [rgb[2], rgb[1], rgb[0]] : rgb;
        var z = new double[3];
        for (int c = 0; c < 3; c++)
            z[c] = (channels[c] / 255.0 - Mean[c]) / Std[c];
        var e = new double[EmbeddingSize];
        for (int j = 0; j < EmbeddingSize; j++)
        {
            e[j] = Bias[j];
            for (int c = 0; c < 3; c++)
                e[j] += z[c] * Weight[c * EmbeddingSize + j];
        }
        double norm = normalize ? Math.Sqrt(e.Sum(v => v * v)) : 1;
        return e.Select(v => (float)(v / norm)).ToArray();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
