using ReId.MLNet.Data.Datasets;
using ReId.Training.Augmentation;
using ReId.Training.Methods;
using ReId.Training.Methods.ClipSeNet;
using ReId.Training.Models.Heads;
using ReId.Training.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.ClipSeNet;

public sealed class ClipSeNetMethodTests
{
    private static readonly ReIdDataset Empty = new("veri776", "/nowhere", [], [], []);

    [Fact]
    public void ThePaperRecipeHoldsThePaperSettingsAndRefusesToStartWithoutClipWeights()
    {
        var o = TrainingRecipes.Get("clip-senet");
        Assert.Equal(("resnext101-ibn", 320, 320, 24, 16, 8, 5e-4, "adam", "cosine"),
            (o.Backbone, o.InputHeight, o.InputWidth, o.Epochs, o.IdentitiesPerBatch, o.ImagesPerIdentity, o.LearningRate, o.Optimizer, o.Scheduler));
        Assert.Equal(32, o.SectionAs<ClipSeNetOptions>().Groups);
        var e = Assert.Throws<ArgumentException>(() => TrainingMethods.Get(o.Method).Validate(o, Empty));
        Assert.Contains("senet.clip-weights", e.Message);
        TrainingMethods.Get("clip-senet").Validate(TrainingRecipes.Get("clip-senet-small"), Empty);
    }

    [Fact]
    public void SectionKeysAreReachedWithSetAndBadValuesAreNamed()
    {
        var o = TrainingRecipes.Get("clip-senet-small");
        TrainingOptionOverrides.Apply(o, ["senet.groups=16", "senet.afem-mode=gate", "senet.freeze-sem=false", "senet.temperature=0.2"]);
        var s = o.SectionAs<ClipSeNetOptions>();
        Assert.Equal((16, AfemMode.GroupGate, false, 0.2), (s.Groups, s.ParsedAfemMode!.Value, s.FreezeSem, s.Temperature));
        TrainingOptionOverrides.Apply(o, ["senet.afem-mode=diagonal"]);
        Assert.Contains("senet.afem-mode", Assert.Throws<ArgumentException>(() => TrainingMethods.Get("clip-senet").Validate(o, Empty)).Message);
        var noSem = TrainingRecipes.Get("clip-senet-small");
        TrainingOptionOverrides.Apply(noSem, ["senet.sem=false"]);
        Assert.Contains("senet.afem-mode", Assert.Throws<ArgumentException>(() => TrainingMethods.Get("clip-senet").Validate(noSem, Empty)).Message);
    }

    private static TrainingOptions Tiny(params string[] sets)
    {
        var o = TrainingRecipes.Get("clip-senet-small");
        TrainingOptionOverrides.Apply(o, ["input-height=32", "input-width=32", "vit-width=64", "vit-layers=1", "vit-patch=8", "vit-stride=8", "embedding-dim=32", .. sets]);
        return o;
    }

    [Fact]
    public void ASessionTrainsWithBothTermsAndItsRecordedArchitectureRebuildsTheSameNetwork()
    {
        torch.manual_seed(2);
        var context = new MethodContext { Options = Tiny("camera-embedding=true"), Classes = 4, CameraIds = [3, 7] };
        using var session = TrainingMethods.Get("clip-senet").CreateSession(context);
        using var scope = NewDisposeScope();
        var batch = new TrainingBatch(randn(8, 3, 32, 32), tensor(new long[] { 0, 0, 1, 1, 2, 2, 3, 3 }), tensor(new long[] { 0, 1, 0, 1, 0, 1, 1, 0 }),
            null, [0, 1, 2, 3, 4, 5, 6, 7], Normalization.FromName("imagenet"));
        using var step = session.Loss(batch);
        Assert.True(float.IsFinite(step.Loss.Total.item<float>()));
        Assert.Equal(["ce", "supcon"], step.Loss.Terms.Keys.Order());
        var model = ((ClipSeNetSession)session).Model;
        Assert.Equal((512, 32, 2), (model.AppearanceSize, model.SemanticSize, model.Cameras));

        using var rebuilt = TrainingMethods.Get("clip-senet").CreateSession(context with { Architecture = session.Architecture });
        Assert.Equal(session.Network.state_dict().ToDictionary(p => p.Key, p => string.Join("x", p.Value.shape)),
            rebuilt.Network.state_dict().ToDictionary(p => p.Key, p => string.Join("x", p.Value.shape)));
        Assert.Contains("senet.groups", Assert.Throws<ArgumentException>(() => TrainingMethods.Get("clip-senet").CreateSession(
            new MethodContext { Options = Tiny("senet.groups=5"), Classes = 4 })).Message);
    }
}
