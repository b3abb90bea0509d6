using System.ComponentModel;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.Training.Methods;
using ReId.Training.Methods.BagOfTricks;
using ReId.Training.Methods.ClipReId;
using ReId.Training.Models;
using ReId.Training.Recipes;
using ReId.Training.Utils;
using TorchSharp;

namespace ReId.Training.Tests.Methods;

/// <summary>The registry of training methods: one list that recipes, help and settings come from, and what each method promises.</summary>
public sealed class TrainingMethodsTests
{
    /// <summary>A section as a method would declare it, to exercise <c>--set KEY.name</c> without a registered method that has one.</summary>
    private sealed class DemoSection : MethodOptions
    {
        public override string Key => "demo";
        [Description("groups of the demo")]
        public int Groups { get; set; } = 32;
        [Description("a mode")]
        public DayOfWeek Mode { get; set; } = DayOfWeek.Monday;
        public override void Validate()
        {
            if (Groups < 1) throw new ArgumentException($"demo.groups is {Groups}; expected at least 1");
        }
    }

    [Fact]
    public void EveryRecipeBelongsToARegisteredMethodAndNamesAreUnique()
    {
        Assert.Equal(["bot", "clip-reid"], TrainingMethods.Names.Take(2));
        Assert.Equal(TrainingRecipes.Names.Count, TrainingRecipes.Names.Distinct().Count());
        Assert.Equal(TrainingMethods.All.Sum(m => m.Recipes.Count), TrainingRecipes.Names.Count);
        foreach (var method in TrainingMethods.All)
            foreach (var recipe in method.Recipes)
            {
                var o = TrainingRecipes.Get(recipe.Name);
                Assert.Equal(method.Name, o.Method);
                Assert.Equal(recipe.Name, o.Recipe);
                Assert.Equal(method.CreateSection()?.GetType(), o.Section?.GetType());
            }
    }

    [Fact]
    public void AnUnknownMethodIsNamedWithTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingMethods.Get("nosuch"));
        Assert.Contains("nosuch", e.Message);
        Assert.Contains("clip-reid", e.Message);
    }

    [Fact]
    public void SectionSettingsAreReachedWithADottedKeyListedWithMeaningsAndValidated()
    {
        var o = TrainingRecipes.Get("bot-small");
        o.Section = new DemoSection();
        TrainingOptionOverrides.Apply(o, ["demo.groups=16", "DEMO.mode=friday", "epochs=3"]);
        var demo = o.SectionAs<DemoSection>();
        Assert.Equal(16, demo.Groups);
        Assert.Equal(DayOfWeek.Friday, demo.Mode);
        Assert.Equal(3, o.Epochs);

        var rows = TrainingOptionOverrides.Describe(o).ToDictionary(r => r.Key);
        Assert.Equal(("16", "groups of the demo"), (rows["demo.groups"].Value, rows["demo.groups"].Meaning));
        Assert.Equal("Epochs of the main training loop", rows["epochs"].Meaning);
        Assert.All(rows.Values.Where(r => !r.Key.StartsWith("demo.", StringComparison.Ordinal)), r => Assert.False(string.IsNullOrEmpty(r.Meaning), $"{r.Key} has a meaning"));

        Assert.Contains("demo.nosuch", Assert.Throws<ArgumentException>(() => TrainingOptionOverrides.Apply(o, ["demo.nosuch=1"])).Message);
        Assert.Contains("one of sunday", Assert.Throws<ArgumentException>(() => TrainingOptionOverrides.Apply(o, ["demo.mode=someday"])).Message);
        Assert.Contains("has the settings section 'demo', not 'senet'", Assert.Throws<ArgumentException>(() => TrainingOptionOverrides.Apply(o, ["senet.groups=1"])).Message);
        TrainingOptionOverrides.Apply(o, ["demo.groups=0"]);
        Assert.Contains("demo.groups", Assert.Throws<ArgumentException>(() => o.Section!.Validate()).Message);
    }

    [Fact]
    public void CloneIsDeepIncludingResNetLayersMilestonesAndTheSection()
    {
        var o = TrainingRecipes.Get("clip-reid-small");
        o.Section = new DemoSection();
        var copy = o.Clone();
        o.ResNetLayers[0] = 99;
        o.Milestones[0] = 99;
        ((DemoSection)o.Section).Groups = 99;
        Assert.Equal(3, copy.ResNetLayers[0]);
        Assert.NotEqual(99, copy.Milestones[0]);
        Assert.Equal(32, copy.SectionAs<DemoSection>().Groups);
    }

    [Fact]
    public void SettingsFilesRoundTripTheSharedSettings()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("reid-settings").FullName, "settings.json");
        var o = TrainingRecipes.Get("clip-reid-small");
        TrainingOptionOverrides.Apply(o, ["resnet-layers=1,2,3,4", "device=cuda:1", "pretrained-weights=x.safetensors"]);
        TrainingOptionsFile.Write(path, o);
        var back = TrainingOptionsFile.Read(path);
        Assert.Equal(TrainingOptionOverrides.Describe(o), TrainingOptionOverrides.Describe(back));
        File.WriteAllText(path, "{ not json");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => TrainingOptionsFile.Read(path)).Message);
    }

    [Theory]
    [InlineData("bot-small")]
    [InlineData("clip-reid-small")]
    public void BackbonePrefixesSelectTheBackboneParametersAndNothingElse(string recipe)
    {
        var o = TrainingRecipes.Get(recipe);
        o.InputHeight = 64; o.InputWidth = 32;
        using var session = TrainingMethods.Get(o.Method).CreateSession(new MethodContext { Options = o, Classes = 5 });
        var names = session.Network.named_parameters().Select(p => p.name).ToList();
        var prefixes = session.BackbonePrefixes;
        Assert.NotEmpty(prefixes);
        int inBackbone = names.Count(n => prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal)));
        Assert.True(inBackbone > 0 && inBackbone < names.Count, $"{inBackbone} of {names.Count} parameters match {string.Join(", ", prefixes)}");
        Assert.DoesNotContain(names, n => n.Contains("classifier") && prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal)));
    }

    [Fact]
    public void TheClipReIdNetworkRegistersItsImageEncoderOnce()
    {
        var o = TrainingRecipes.Get("clip-reid-small");
        o.InputHeight = 64; o.InputWidth = 32;
        using var model = TrainingMethods.CreateNetwork(o, 5);
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("visual.conv1.weight", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("_encoder", StringComparison.Ordinal) || k.StartsWith("encoder.", StringComparison.Ordinal));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void ADeviceSettingIsParsedAndCudaWithoutCudaIsRefusedWithTheReason()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ParseDevice("cpu").type);
        Assert.Equal(DeviceType.CPU, TorchRuntime.ParseDevice(null).type);
        var cuda = TorchRuntime.ParseDevice("cuda:1", () => true, () => 2);
        Assert.Equal((DeviceType.CUDA, 1), (cuda.type, cuda.index));
        Assert.Contains("CUDA is not available", Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("cuda", () => false, () => 0)).Message);
        Assert.Contains("has 2 CUDA device", Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("cuda:2", () => true, () => 2)).Message);
        Assert.Contains("expected cpu, cuda or cuda:N", Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("gpu")).Message);
        Assert.Contains("GPU index", Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("cuda:x")).Message);
        if (!torch.cuda.is_available())
            Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("cuda:0"));
    }
}
