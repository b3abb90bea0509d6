using Microsoft.ML.OnnxRuntime;
using ReId.MLNet.Onnx;
using ReId.Training.Losses;
using ReId.Training.Methods.ClipSeNet;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using LongTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;

namespace ReId.Training.Tests.Methods.ClipSeNet;

public sealed class ClipSeNetModelTests
{
    private const int S = ClipSeNetTestModels.Size;

    private static Tensor Normalised(Tensor raw, float[] mean, float[] std) =>
        (raw - tensor(mean).view(1, 3, 1, 1)) / tensor(std).view(1, 3, 1, 1);

    private static float MaxDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Fact]
    public void EmbeddingIsTheNeckBnOfAppearanceConcatenatedWithAfemOfClipNormalisedSem()
    {
        using var m = ClipSeNetTestModels.Build(1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        torch.manual_seed(5);
        var raw = rand(3, 3, S, S);
        var x = Normalised(raw, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd);
        // SEM must see the pixels normalised with CLIP's statistics, computed here from the raw pixels directly.
        var xClip = Normalised(raw, ModelPackageExporter.ClipMean, ModelPackageExporter.ClipStd);
        var (_, sem) = m.Semantic!.EncodeForReId(xClip);
        var fused = cat([m.Appearance(x, null), m.Afem!.forward(sem)], 1);
        var bn = m.Neck.Bottleneck;
        var expected = (fused - bn.running_mean!) / (bn.running_var! + 1e-5).sqrt() * bn.weight! + bn.bias!;
        var got = m.Embed(x, null);
        Assert.Equal(new long[] { 3, 512 + 16 }, got.shape);
        Assert.True(MaxDiff(expected, got) < 1e-4);
    }

    [Fact]
    public void CameraEmbeddingShiftsOnlyTheAppearanceHalfByItsNormalisedDifference()
    {
        using var m = ClipSeNetTestModels.Build(2, cameras: 3);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, 3, S, S);
        var e0 = m.Embed(x, tensor(new long[] { 0, 0 }));
        var e2 = m.Embed(x, tensor(new long[] { 2, 2 }));
        var table = m.named_parameters().Single(p => p.name == "camera_embedding").parameter;
        var bn = m.Neck.Bottleneck;
        var scale = (bn.weight! / (bn.running_var! + 1e-5).sqrt()).narrow(0, 0, 512);
        var expected = ((table[2] - table[0]) * scale).unsqueeze(0).expand(2, 512);
        Assert.True(MaxDiff(e2.narrow(1, 0, 512) - e0.narrow(1, 0, 512), expected) < 1e-4);
        Assert.True(MaxDiff(e2.narrow(1, 512, 16), e0.narrow(1, 512, 16)) == 0);
        // Camera unknown: the mean camera embedding.
        var unknown = m.forward(x);
        var meanShift = ((table.mean([0]) - table[0]) * scale).unsqueeze(0).expand(2, 512);
        Assert.True(MaxDiff(unknown.narrow(1, 0, 512) - e0.narrow(1, 0, 512), meanShift) < 1e-4);
    }

    private static float[] RunOrt(byte[] model, Tensor images, long[]? cameras)
    {
        using var session = new InferenceSession(model);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor(images.data<float>().ToArray(), images.shape.Select(d => (int)d).ToArray())) };
        if (cameras is not null) inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxExporter.CameraInputName, new LongTensor(cameras, [cameras.Length])));
        using var results = session.Run(inputs);
        return results.First().AsEnumerable<float>().ToArray();
    }

    [Theory]
    [InlineData(0, AfemMode.GroupLinear)]
    [InlineData(0, AfemMode.GroupGate)]
    [InlineData(3, AfemMode.GroupLinear, true)]
    [InlineData(3, AfemMode.GroupLinear, false)]
    public void WholeExportMatchesTorchUnderOnnxRuntime(int cameras, AfemMode mode, bool cameraInput = false)
    {
        using var m = ClipSeNetTestModels.Build(3, cameras, afem: mode);
        byte[] bytes = OnnxExporter.Export(m, S, S, m.EmbeddingSize, "clip-senet", cameraInput: cameraInput);
        OnnxModelChecker.Check(bytes);
        using var x = randn(3, 3, S, S);
        long[]? cams = cameraInput ? [2, 0, 1] : null;
        Tensor expected;
        using (no_grad()) expected = m.Embed(x, cams is null ? null : tensor(cams));
        using var disposeExpected = expected;
        var got = RunOrt(bytes, x, cams);
        Assert.True(expected.data<float>().ToArray().Zip(got, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }

    [Fact]
    public void ACameraPackageRecordsTheTrainingCamerasAndMatchesTorchPerCameraWithUnknownAsTheMean()
    {
        using var m = ClipSeNetTestModels.Build(9, cameras: 3);
        string dir = Directory.CreateTempSubdirectory("senet-cameras").FullName;
        try
        {
            // Training camera ids 3, 7, 9 → positions 0, 1, 2; a deployment feeds −1 for a camera the model never saw.
            var package = ClipSeNetExporter.WriteWhole(dir, m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear", [3, 7, 9]);
            Assert.Equal(OnnxExporter.CameraInputName, package.CameraInputName);
            Assert.Equal([3, 7, 9], package.CameraIds!);
            Assert.Equal([3, 7, 9], ModelPackage.Read(dir).CameraIds!);
            ClipSeNetExporter.WriteParts(Path.Combine(dir, "parts"), m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear", [3, 7, 9]);
            Assert.Equal([3, 7, 9], ModelPackage.Read(Path.Combine(dir, "parts", ClipSeNetExporter.AppearanceFolder)).CameraIds!);

            using var x = randn(4, 3, S, S);
            long[] positions = [2, 0, -1, 1];
            float[] expected, meanCamera;
            using (no_grad())
            {
                using var e = ((ReId.Training.Models.ISideInformationModule)m).forward(x, tensor(positions), null);
                using var f = m.forward(x);
                expected = e.data<float>().ToArray();
                meanCamera = f.data<float>().ToArray();
            }
            var got = RunOrt(File.ReadAllBytes(package.OnnxPath!), x, positions);
            Assert.True(expected.Zip(got, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
            // The unknown camera is the mean embedding (what the image-only model uses); a known one is not.
            int d = m.EmbeddingSize;
            Assert.True(expected.Skip(2 * d).Take(d).Zip(meanCamera.Skip(2 * d).Take(d), (a, b) => Math.Abs(a - b)).Max() < 1e-5);
            Assert.True(expected.Take(d).Zip(meanCamera.Take(d), (a, b) => Math.Abs(a - b)).Max() > 1e-3);
            Assert.Contains("sorted", Assert.Throws<ArgumentException>(() =>
                ClipSeNetExporter.WriteWhole(Path.Combine(dir, "bad"), m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear", [7, 3, 9])).Message);
            Assert.Contains("3 camera embeddings", Assert.Throws<ArgumentException>(() =>
                ClipSeNetExporter.WriteWhole(Path.Combine(dir, "bad"), m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear", [3, 7])).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PartsConcatenateToTheWholeEmbeddingUnderOnnxRuntime()
    {
        using var m = ClipSeNetTestModels.Build(4);
        string dir = Directory.CreateTempSubdirectory("senet-parts").FullName;
        try
        {
            ClipSeNetExporter.WriteParts(dir, m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear");
            var whole = ClipSeNetExporter.WriteWhole(Path.Combine(dir, "whole"), m, S, S, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd, "bilinear");
            Assert.True(whole.NormalizeOutput);
            var appearance = ModelPackage.Read(Path.Combine(dir, ClipSeNetExporter.AppearanceFolder));
            var encoder = ModelPackage.Read(Path.Combine(dir, ClipSeNetExporter.SemanticEncoderFolder));
            Assert.False(appearance.NormalizeOutput);
            Assert.Equal(ModelPackageExporter.ClipMean, encoder.Mean);

            using var raw = rand(2, 3, S, S);
            using var x = Normalised(raw, ClipSeNetTestModels.ImageNetMean, ClipSeNetTestModels.ImageNetStd);
            using var xClip = Normalised(raw, ModelPackageExporter.ClipMean, ModelPackageExporter.ClipStd);
            var a = RunOrt(File.ReadAllBytes(appearance.OnnxPath!), x, null);
            var sem = RunOrt(File.ReadAllBytes(encoder.OnnxPath!), xClip, null);
            float[] enhanced;
            using (var session = new InferenceSession(Path.Combine(dir, ClipSeNetExporter.EnhancementFile)))
            using (var r = session.Run([NamedOnnxValue.CreateFromTensor(ClipSeNetExporter.EnhancementInputName, new DenseTensor(sem, [2, 16]))]))
                enhanced = r.First().AsEnumerable<float>().ToArray();
            var wholeOut = RunOrt(File.ReadAllBytes(whole.OnnxPath!), x, null);
            for (int i = 0; i < 2; i++)
            {
                var chained = a.Skip(i * 512).Take(512).Concat(enhanced.Skip(i * 16).Take(16)).ToArray();
                var direct = wholeOut.Skip(i * 528).Take(528).ToArray();
                Assert.True(chained.Zip(direct, (p, q) => Math.Abs(p - q)).Max() < 1e-4);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FrozenSemStaysFixedThroughATrainingStepWhileTheRestLearns(bool freeze)
    {
        using var m = ClipSeNetTestModels.Build(6, freeze: freeze);
        var before = m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        m.train();
        using var optimizer = optim.Adam(m.parameters().Where(p => p.requires_grad), lr: 1e-2);
        using (var scope = NewDisposeScope())
        {
            var x = randn(8, 3, S, S);
            var labels = tensor(new long[] { 0, 0, 1, 1, 2, 2, 3, 3 });
            using var output = m.Apply(x, null);
            using var result = new ClipSeNetLoss().Compute(output, labels, null);
            result.Total.backward();
            optimizer.step();
        }
        bool Changed(string prefix) => m.named_parameters().Where(p => p.name.StartsWith(prefix))
            .Any(p => MaxDiff(p.parameter.detach(), before[p.name]) > 0);
        Assert.Equal(!freeze, Changed("semantic."));
        Assert.True(Changed("backbone."));
        Assert.True(Changed("afem."));
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void LossIsTheWeightedSumOfLabelSmoothedCrossEntropyAndSupCon()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(8);
        var before = randn(6, 10);
        var logits = randn(6, 4);
        var labels = tensor(new long[] { 0, 0, 1, 1, 3, 3 });
        var output = new NeckOutput(before, before.alias(), logits);
        var result = new ClipSeNetLoss(crossEntropyWeight: 0.5, supConWeight: 2, temperature: 0.2, labelSmoothing: 0.1).Compute(output, labels, null);
        double ce = new CrossEntropyLabelSmooth(0.1).Forward(logits, labels).item<float>();
        double sc = new SupConLoss(0.2).Forward(before, labels).item<float>();
        Assert.Equal(0.5 * ce + 2 * sc, result.Total.item<float>(), 4);
        Assert.Equal(ce, result.Terms["ce"], 4);
        Assert.Equal(sc, result.Terms["supcon"], 4);
    }

    [Fact]
    public void AfemWithoutSemIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClipSeNetModel(ResNet.Create("resnet18-ibn"), null, 3, new AdaptiveFineGrainedEnhancement(16, 4)));
        Assert.Contains("SEM", e.Message);
    }
}
