using System.Text;
using System.Text.Json.Nodes;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;
using ReId.Training.Tests.Models.Text;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Weights;

public sealed class ClipCheckpointFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipckpt").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Appends int64 tensors to a safetensors file, as Hugging Face's CLIP files carry position_ids.</summary>
    private static void AppendInt64(string path, params (string Name, long[] Values)[] extra)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject();
        var data = new List<byte>(bytes[(8 + (int)headerLength)..]);
        foreach (var (name, values) in extra)
        {
            long start = data.Count;
            foreach (long v in values) data.AddRange(BitConverter.GetBytes(v));
            header[name] = new JsonObject
            {
                ["dtype"] = "I64",
                ["shape"] = values.Length == 1 ? new JsonArray() : new JsonArray(1, values.Length),
                ["data_offsets"] = new JsonArray(start, data.Count),
            };
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((long)json.Length));
        f.Write(json);
        f.Write(data.ToArray());
    }

    [Fact]
    public void IntegerPositionIdsAndScalarsOfRealClipFilesAreSkippedByBothTowerLoaders()
    {
        torch.manual_seed(8);
        using var vision = new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 8, InputHeight = 16, InputWidth = 16, OutputDim = 12 });
        using var text = ClipTextTransformerTests.Randomised(new ClipTextOptions { VocabSize = 30, ContextLength = 8, Width = 64, Layers = 1, OutputDim = 12 }, 2);
        string visionPath = Path.Combine(_dir, "v.safetensors"), textPath = Path.Combine(_dir, "t.safetensors");
        ClipVisionWeights.Save(vision, visionPath, ClipLayout.HuggingFace);
        ClipTextWeights.Save(text, textPath, ClipLayout.HuggingFace);
        var merged = SafetensorsFile.Read(visionPath).Tensors.Values.Concat(SafetensorsFile.Read(textPath).Tensors.Values);
        string full = Path.Combine(_dir, "clip.safetensors");
        new SafetensorsFile(merged).Write(full);
        AppendInt64(full,
            ("vision_model.embeddings.position_ids", Enumerable.Range(0, 5).Select(i => (long)i).ToArray()),
            ("text_model.embeddings.position_ids", Enumerable.Range(0, 8).Select(i => (long)i).ToArray()),
            ("input_resolution", [16L]));

        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(full)); // the plain float reader refuses I64
        var (v, vr) = ClipVisionWeights.Load(full);
        var (t, tr) = ClipTextWeights.Load(full);
        using (v)
        using (t)
        {
            Assert.True(vr.IsExact, vr.ToString());
            Assert.True(tr.IsExact, tr.ToString());
            using var noGrad = torch.no_grad();
            using var image = torch.randn(2, 3, 16, 16);
            using var ids = torch.tensor(new long[] { 28, 3, 4, 29, 0, 0, 0, 0 }, [1, 8]);
            Assert.True((vision.forward(image) - v.forward(image)).abs().max().item<float>() < 1e-6);
            Assert.True((text.forward(ids) - t.forward(ids)).abs().max().item<float>() < 1e-6);
        }
    }
}
