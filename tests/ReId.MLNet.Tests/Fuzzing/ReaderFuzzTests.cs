using System.Buffers.Binary;
using System.Text;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Features;
using ReId.MLNet.Onnx;
using ReId.MLNet.Tests.Data.Datasets;

namespace ReId.MLNet.Tests.Fuzzing;

/// <summary>
/// Every reader of outside files in ReId.MLNet over mutated copies of a valid file (REID_FUZZ_COUNT each): it either reads the
/// input or throws its own exception type naming the file — never another exception, a hang or an allocation beyond the bound.
/// </summary>
public sealed class ReaderFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reid-fuzz").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static bool Is<T>(Exception e) => e is T;

    // The bounds: a reader may hold the file a few times over (bytes, decoded text, parsed values), never memory proportional to a
    // number written inside it.
    private static long Linear(long size, int factor, long slack) => factor * size + slack;

    [Fact]
    public void NpyFeatureFiles()
    {
        string npy = Path.Combine(_dir, "f.npy");
        var rows = Enumerable.Range(0, 6).ToArray();
        FeatureFile.Write(npy, new FeatureSet(Enumerable.Range(0, 48).Select(i => i * 0.25f - 3).ToArray(), 6, 8,
            [.. rows.Select(r => $"/img/{r}.jpg")], [.. rows], [.. rows.Select(r => r % 3)]));
        byte[] seed = File.ReadAllBytes(npy);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(seed.AsSpan(8));
        FuzzRunner.Run("npy", rng =>
        {
            File.WriteAllBytes(npy, rng.Next(3) == 0 ? RebuiltNpyHeader(seed, headerLength, rng) : ByteMutator.Mutate(seed, rng, 10, 10 + headerLength));
            return npy;
        }, () => FeatureFile.Read(npy), Is<InvalidDataException>, size => Linear(size, 8, 256 << 10));
    }

    /// <summary>The header dictionary mutated as text and written back with a correct length field, so the mutation reaches the parser.</summary>
    private static byte[] RebuiltNpyHeader(byte[] seed, int headerLength, Random rng)
    {
        byte[] dict = ByteMutator.Mutate(seed.AsSpan(10, headerLength).ToArray(), rng);
        bool v2 = rng.Next(4) == 0;
        var header = new List<byte>(seed.AsSpan(0, 8).ToArray());
        header[6] = (byte)(v2 ? 2 : 1);
        if (v2) header.AddRange(BitConverter.GetBytes((uint)dict.Length));
        else header.AddRange(BitConverter.GetBytes((ushort)Math.Min(dict.Length, ushort.MaxValue)));
        return [.. header, .. dict, .. seed.AsSpan(10 + headerLength)];
    }

    [Fact]
    public void FeatureCsvSidecars()
    {
        string npy = Path.Combine(_dir, "f.npy"), csv = FeatureFile.SidecarPath(npy);
        var rows = Enumerable.Range(0, 6).ToArray();
        FeatureFile.Write(npy, new FeatureSet(new float[6 * 4], 6, 4, [.. rows.Select(r => $"/img/{r:D4}_c{r % 3}.jpg")], [.. rows], [.. rows.Select(r => r % 3)], [.. rows]));
        byte[] seed = File.ReadAllBytes(csv);
        FuzzRunner.Run("feature csv sidecar", rng =>
        {
            File.WriteAllBytes(csv, ByteMutator.Mutate(seed, rng));
            return csv;
        }, () => FeatureFile.Read(npy), Is<InvalidDataException>, size => Linear(size, 32, 512 << 10));
    }

    [Fact]
    public void ModelPackageJson()
    {
        string package = Path.Combine(_dir, "pkg");
        var created = ModelPackage.Create(package, SmallImageModel(), new ModelPackage
        {
            InputName = "image", OutputName = "embedding", InputHeight = 8, InputWidth = 4, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f],
            EmbeddingSize = 3, Architecture = "fuzz", CreatedBy = "tests", Resize = "isopad",
        });
        string json = Path.Combine(package, ModelPackage.JsonFileName);
        byte[] seed = File.ReadAllBytes(json);
        FuzzRunner.Run("model.json", rng =>
        {
            File.WriteAllBytes(json, ByteMutator.Mutate(seed, rng));
            return json;
        }, () => ModelPackage.Read(package), e => e is InvalidDataException or FileNotFoundException, size => Linear(size, 64, 1 << 20));
    }

    [Fact]
    public void OnnxModels()
    {
        string path = Path.Combine(_dir, "m.onnx");
        byte[] seed = SmallImageModel();
        FuzzRunner.Run("onnx protobuf", rng =>
        {
            File.WriteAllBytes(path, ByteMutator.Mutate(seed, rng, 0, 0));
            return path;
        }, () =>
        {
            // What ReIdEmbed, ClipImageFeatures and SemanticEnhance do with a user's model before ONNX Runtime sees it.
            var model = OnnxModelFile.Read(path);
            var input = OnnxModelRewriter.ResolveInput(model, null, path);
            _ = OnnxModelRewriter.Dims(input);
            var output = OnnxModelRewriter.ResolveOutput(model, null, path);
            OnnxModelRewriter.Wrap(model, input.Name, "__fuzz_in", [1, 3, 8, 4], [1f, 1f, 1f], [0f, 0f, 0f], [(output.Name, "__fuzz_out", null)], path);
        }, Is<InvalidDataException>, size => Linear(size, 64, 1 << 20));
    }

    /// <summary>image [1,3,8,4] → mean over H and W → [1,3], a valid model with an initializer and attributes.</summary>
    private static byte[] SmallImageModel()
    {
        var b = new OnnxGraphBuilder("fuzz");
        string x = b.AddInput("image", OnnxElementType.Float, 1, 3, 8, 4);
        string scaled = b.Node("Mul", [x, b.AddInitializer("scale", [0.5f, 1f, 2f], 1, 3, 1, 1)]);
        string mean = b.Node("ReduceMean", [scaled], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        b.NodeWithOutputs("Identity", [mean], ["embedding"]);
        b.AddOutput("embedding", OnnxElementType.Float, 1, 3);
        return b.ToBytes();
    }

    [Fact]
    public void Market1501FileNames()
    {
        using var d = new DatasetFolder();
        foreach (string split in new[] { "bounding_box_train", "query", "bounding_box_test" })
            for (int id = 1; id <= 2; id++) d.Image($"{split}/{id:D4}_c{id}s1_000451_0{id}.jpg");
        string victim = Path.Combine(d.Root, "bounding_box_train", "0002_c2s1_000451_02.jpg");
        byte[] seed = Encoding.UTF8.GetBytes(Path.GetFileName(victim));
        string current = victim;
        FuzzRunner.Run("market1501 names", rng =>
        {
            string name = SafeFileName(ByteMutator.Mutate(seed, rng));
            string next = Path.Combine(d.Root, "bounding_box_train", name);
            if (next != current && !File.Exists(next)) { File.Move(current, next); current = next; }
            return d.Root;
        }, () => DatasetFormats.Load("market1501", d.Root), Is<ReIdDataException>, _ => 4 << 20);
    }

    /// <summary>A mutated name as a file system will take it: no separators or NUL, not empty or a dot name, at most 200 bytes.</summary>
    private static string SafeFileName(byte[] bytes)
    {
        string name = new(Encoding.UTF8.GetString(bytes).Select(c => c is '/' or '\0' ? '_' : c).Take(120).ToArray());
        return name is "" or "." or ".." ? "_" + name : name;
    }

    [Fact]
    public void Veri776NameLists()
    {
        using var d = new DatasetFolder();
        foreach (string split in new[] { "image_train", "image_query", "image_test" })
            for (int id = 1; id <= 3; id++) d.Image($"{split}/{id:D4}_c00{id}_0003060{id}_0.jpg");
        string list = d.Text("name_train.txt", "0001_c001_00030601_0.jpg", "0002_c002_00030602_0.jpg", "0003_c003_00030603_0.jpg");
        FuzzList("veri776 name list", "veri776", d.Root, list);
    }

    [Fact]
    public void VehicleIdLists()
    {
        using var d = new DatasetFolder();
        for (int i = 1; i <= 8; i++) d.Image($"image/{i:D5}.jpg");
        d.Text("train_test_split/train_list.txt", "00001 1", "00002 1", "00003 2", "00004 2");
        string list = d.Text("train_test_split/test_list_800.txt", "00005 7", "00006 7", "00007 8", "00008 8");
        FuzzList("vehicleid list", "vehicleid", d.Root, list);
    }

    [Fact]
    public void Msmt17Lists()
    {
        using var d = new DatasetFolder();
        d.Image("train/0000/0000_000_01_0303morning_0015_0.jpg");
        d.Image("train/0001/0001_000_02_0303noon_0015_0.jpg");
        d.Image("test/0000/0000_000_03_0303morning_0015_0.jpg");
        d.Image("test/0000/0000_001_07_0303afternoon_0020_1.jpg");
        string list = d.Text("list_train.txt", "0000/0000_000_01_0303morning_0015_0.jpg 0", "0001/0001_000_02_0303noon_0015_0.jpg 1");
        d.Text("list_query.txt", "0000/0000_000_03_0303morning_0015_0.jpg 0");
        d.Text("list_gallery.txt", "0000/0000_001_07_0303afternoon_0020_1.jpg 0");
        FuzzList("msmt17 list", "msmt17", d.Root, list);
    }

    private static void FuzzList(string reader, string format, string root, string list)
    {
        byte[] seed = File.ReadAllBytes(list);
        FuzzRunner.Run(reader, rng =>
        {
            File.WriteAllBytes(list, ByteMutator.Mutate(seed, rng));
            return root;
        }, () => DatasetFormats.Load(format, root), Is<ReIdDataException>, size => Linear(size, 64, 4 << 20));
    }
}
