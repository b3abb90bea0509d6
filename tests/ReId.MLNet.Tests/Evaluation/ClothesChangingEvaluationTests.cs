using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Tests.Evaluation;

public sealed class ClothesChangingEvaluationTests
{
    // One query (identity 1, camera 1, clothes 1) at [1, 0]. Gallery: identity 1 in the same clothes at distance 0,
    // identity 1 in other clothes at cosine distance 1, identity 2 at distance 0.2.
    private static (FeatureSet Query, FeatureSet Gallery) Case(bool clothes = true, int otherClothes = 2) => (
        new FeatureSet([1, 0], 1, 2, ["q"], [1], [1], clothes ? [1] : null),
        new FeatureSet([1, 0, 0, 1, 0.8f, 0.6f], 3, 2, ["a", "b", "c"], [1, 1, 2], [2, 3, 2], clothes ? [1, otherClothes, 1] : null));

    [Fact]
    public void BothProtocolsComeFromOnePairOfFeatureSetsWithHandComputedFigures()
    {
        var (q, g) = Case();
        var m = ClothesChangingEvaluation.Evaluate(q, g);
        Assert.Equal(["cc-only", "cc-standard"], m.Keys.Order());
        // cc-standard: ranking a (match), c, b (match): AP = (1/1 + 2/3) / 2.
        Assert.Equal((1 + 2.0 / 3) / 2, m["cc-standard"].MeanAveragePrecision, 6);
        Assert.Equal(1, m["cc-standard"].Rank1, 6);
        // cc-only ignores a (same clothes): ranking c, b (match): AP = 1/2, rank-1 missed.
        Assert.Equal(0.5, m["cc-only"].MeanAveragePrecision, 6);
        Assert.Equal(0, m["cc-only"].Rank1, 6);

        var figures = new Dictionary<string, double>();
        ClothesChangingEvaluation.AddFigures(m, figures);
        Assert.Equal(0.5, figures["cc-only-map"], 6);
        Assert.Equal(1, figures["cc-standard-rank1"], 6);
    }

    [Fact]
    public void WithoutClothesIdsThereIsNothingAndWithoutAChangedOutfitOnlyTheStandardProtocol()
    {
        var (q, g) = Case(clothes: false);
        Assert.Empty(ClothesChangingEvaluation.Evaluate(q, g));
        var (q1, g1) = Case(otherClothes: 1);
        Assert.Equal(["cc-standard"], ClothesChangingEvaluation.Evaluate(q1, g1).Keys);
    }
}
