using ReId.Training.Models;
using ReId.Training.Models.Backbones;

namespace ReId.Training.Tests.Models;

public sealed class BagOfTricksModelTests
{
    // Checkpoints and safetensors written before the type was renamed from ReIdModel must still load: the state-dict keys
    // are the registered field paths only, never the module's own name.
    [Fact]
    public void StateDictKeysAreFieldPathsWithoutTheTypeName()
    {
        using var m = new BagOfTricksModel(ResNet.Create("resnet18"), classes: 3, withCenters: true);
        var keys = m.state_dict().Keys.ToList();

        Assert.Contains("backbone.conv1.weight", keys);
        Assert.Contains("pool.p", keys);
        Assert.Contains("neck.classifier.weight", keys);
        Assert.Contains("center.centers", keys);
        Assert.All(keys, k => Assert.Matches("^(backbone|pool|neck|center)\\.", k));
        Assert.DoesNotContain(keys, k => k.Contains("BagOfTricks") || k.Contains("ReIdModel"));
    }
}
