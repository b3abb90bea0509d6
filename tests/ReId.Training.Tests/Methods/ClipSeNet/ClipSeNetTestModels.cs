using ReId.Training.Methods.ClipSeNet;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.ClipSeNet;

/// <summary>Tiny CLIP-SENet networks (ResNet-18-IBN + a one-layer ViT) with non-trivial norm statistics, for the tests.</summary>
internal static class ClipSeNetTestModels
{
    public const int Size = 32;
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static ClipSeNetModel Build(int seed, int cameras = 0, bool sem = true, AfemMode? afem = AfemMode.GroupLinear, bool freeze = true, int classes = 5)
    {
        torch.manual_seed(seed);
        var vit = sem
            ? new ClipVisionTransformer(new ClipVisionOptions { Width = 64, Layers = 1, PatchSize = 8, InputHeight = Size, InputWidth = Size, OutputDim = 16 })
            : null;
        var m = new ClipSeNetModel(ResNet.Create("resnet18-ibn"), vit, classes,
            afem is { } mode ? new AdaptiveFineGrainedEnhancement(16, 4, mode) : null, cameras, freeze,
            imageMean: ImageNetMean, imageStd: ImageNetStd);
        using (no_grad())
        {
            foreach (var (name, p) in m.named_parameters())
                if (name.StartsWith("afem.") || name.StartsWith("camera_embedding")) p.add_(randn_like(p) * 0.2f);
            m.train();
            for (int i = 0; i < 3; i++)
            {
                using var x = randn(4, 3, Size, Size) * 2f + 0.3f;
                using var c = cameras > 0 ? randint(0, cameras, [4], dtype: ScalarType.Int64) : null;
                m.Embed(x, c).Dispose();
            }
        }
        m.eval();
        return m;
    }
}
