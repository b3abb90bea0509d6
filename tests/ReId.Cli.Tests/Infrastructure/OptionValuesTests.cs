using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Pipelines;

namespace ReId.Cli.Tests.Infrastructure;

public sealed class OptionValuesTests
{
    [Theory]
    [InlineData("cosine", DistanceMetric.Cosine)]
    [InlineData(" Euclidean ", DistanceMetric.Euclidean)]
    public void ChoiceMatchesLowerCaseNamesInAnyCase(string value, DistanceMetric expected) =>
        Assert.Equal(expected, OptionValues.Choice<DistanceMetric>(value, "--metric"));

    [Theory]
    [InlineData("1")]        // Enum.TryParse would take the number
    [InlineData("manhattan")]
    [InlineData("")]
    public void ChoiceRejectsAnythingButANameNamingOptionValueAndChoices(string value)
    {
        var e = Assert.Throws<CliUsageException>(() => OptionValues.Choice<DistanceMetric>(value, "--metric"));
        Assert.Equal($"--metric '{value}' is unknown; expected cosine or euclidean", e.Message);
    }

    [Fact]
    public void ChoiceOffersOnlyTheAllowedMembersInTheGivenOrder()
    {
        var e = Assert.Throws<CliUsageException>(() => OptionValues.Choice("auto", "--engine", EmbeddingEngine.MlNet, EmbeddingEngine.Batched));
        Assert.EndsWith("expected mlnet or batched", e.Message);
        Assert.Equal(EmbeddingEngine.MlNet, OptionValues.Choice("MLNET", "--engine", EmbeddingEngine.MlNet, EmbeddingEngine.Batched));
    }

    [Theory]
    [InlineData("3", 3, 3)]
    [InlineData("2-4", 2, 4)]
    [InlineData(" 1 - 1 ", 1, 1)]
    public void RangeReadsNOrMinMax(string value, int min, int max) =>
        Assert.Equal((min, max), OptionValues.Range(value, "--images-per-camera"));

    [Theory]
    [InlineData("5-2")]
    [InlineData("0")]
    [InlineData("1-2-3")]
    [InlineData("a-b")]
    public void RangeRejectsEmptyOrReversedRanges(string value) =>
        Assert.Contains("--images-per-camera '" + value + "'", Assert.Throws<CliUsageException>(() => OptionValues.Range(value, "--images-per-camera")).Message);

    [Fact]
    public void FloatsReadsExactlyCountInvariantNumbers()
    {
        Assert.Equal([0.5f, -1f, 2e-3f], OptionValues.Floats("0.5,-1,2e-3", "--mean", 3));
        Assert.Throws<CliUsageException>(() => OptionValues.Floats("0.5,1", "--mean", 3));
        Assert.Throws<CliUsageException>(() => OptionValues.Floats("0.5,1,2,3", "--mean", 3));
        Assert.Throws<CliUsageException>(() => OptionValues.Floats("0,5;1;2", "--mean", 3));
    }

    [Fact]
    public void PositiveRejectsZeroAndNegatives()
    {
        Assert.Equal(7, OptionValues.Positive(7, "--top-k"));
        Assert.Equal("--top-k 0: expected a positive integer", Assert.Throws<CliUsageException>(() => OptionValues.Positive(0, "--top-k")).Message);
        Assert.Throws<CliUsageException>(() => OptionValues.Positive(-3, "--top-k"));
    }
}
