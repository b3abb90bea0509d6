using ReId.Training.Recipes;

namespace ReId.Training.Tests.Recipes;

public class TrainingRecipesTests
{
    [Fact]
    public void TheFourContractRecipesExistAndDiffer()
    {
        // Registered methods add their recipes after these four.
        Assert.Equal(["bot", "bot-small", "clip-reid", "clip-reid-small"], TrainingRecipes.Names.Take(4).ToArray());
        Assert.Contains("csgn-small", TrainingRecipes.Names);
        Assert.Contains("ccafl-small", TrainingRecipes.Names);
        Assert.Contains("clip-senet-small", TrainingRecipes.Names);
        Assert.Equal("resnet50-ibn", TrainingRecipes.Get("bot").Backbone);
        Assert.Equal("resnet18", TrainingRecipes.Get("bot-small").Backbone);
        Assert.Equal("clip-reid", TrainingRecipes.Get("clip-reid").Method);
        Assert.Equal(128, TrainingRecipes.Get("clip-reid-small").VitWidth);
        Assert.Equal(64, TrainingRecipes.Get("bot").BatchSize);
    }

    [Fact]
    public void GetHandsOutIndependentCopies()
    {
        var a = TrainingRecipes.Get("bot");
        a.Milestones[0] = 1;
        a.Epochs = 3;
        var b = TrainingRecipes.Get("bot");
        Assert.Equal(40, b.Milestones[0]);
        Assert.Equal(120, b.Epochs);
    }

    [Fact]
    public void UnknownRecipeNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingRecipes.Get("botx"));
        Assert.Contains("unknown recipe 'botx'", e.Message);
        Assert.Contains("bot-small", e.Message);
    }

    [Fact]
    public void OverridesParseEachKindOfSetting()
    {
        var o = TrainingRecipes.Get("bot-small");
        TrainingOptionOverrides.Apply(o, ["epochs=3", "learning-rate=0.01", "Soft_Margin_Triplet=true", "milestones=2,5", "pretrained-weights=w.safetensors", "backbone=resnet34"]);
        Assert.Equal(3, o.Epochs);
        Assert.Equal(0.01, o.LearningRate);
        Assert.True(o.SoftMarginTriplet);
        Assert.Equal([2, 5], o.Milestones);
        Assert.Equal("w.safetensors", o.PretrainedWeights);
        Assert.Equal("resnet34", o.Backbone);
    }

    [Theory]
    [InlineData("epochs", "expected key=value")]
    [InlineData("nosuch=1", "unknown setting")]
    [InlineData("epochs=many", "expected an integer")]
    [InlineData("soft-margin-triplet=maybe", "expected true or false")]
    public void BadOverridesNameTheKeyAndWhatWasExpected(string assignment, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingOptionOverrides.Apply(new TrainingOptions(), [assignment]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void DescribeListsKebabKeysWithValues()
    {
        var rows = TrainingOptionOverrides.Describe(TrainingRecipes.Get("bot")).ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal("40,70", rows["milestones"]);
        Assert.Equal("0.00035", rows["learning-rate"]);
        Assert.Equal("resnet50-ibn", rows["backbone"]);
    }
}
