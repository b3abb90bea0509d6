using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Tests.Evaluation;

public class EvaluationMemoryTests
{
    [Fact]
    public void TheEstimateIsTheSumOfTheMatricesEvaluationAllocates()
    {
        var plain = new EvaluationOptions { MaxRank = 50 };
        // By hand: features 4·(3000+15000)·512, two q×g matrices 8·3000·15000, CMC 8·3000·50.
        Assert.Equal(4L * 18000 * 512 + 8L * 3000 * 15000 + 8L * 3000 * 50, EvaluationMemory.EstimateBytes(3000, 15000, 512, plain));
        var rerank = new EvaluationOptions { MaxRank = 50, Rerank = true, K1 = 20 };
        long extra = 4L * 3000 * 3000 + 4L * 15000 * 15000 + 4L * 18000 * 18000 + 4L * 3000 * 15000 + 64L * 20 * 18000;
        Assert.Equal(EvaluationMemory.EstimateBytes(3000, 15000, 512, plain) + extra, EvaluationMemory.EstimateBytes(3000, 15000, 512, rerank));
        // The README's measured peak for this job is 2.8 GiB; the estimate must not be below what was measured minus the runtime's own share.
        Assert.InRange(EvaluationMemory.EstimateBytes(3000, 15000, 512, rerank) / (double)(1L << 30), 2.4, 3.2);
    }

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("lots", null)]
    public void SizesParse(string text, long? expected) => Assert.Equal(expected, EvaluationMemory.ParseSize(text));

    [Fact]
    public void AJobThatCannotFitIsRefusedBeforeAnythingLargeIsAllocated()
    {
        const int rows = 400, dim = 8;
        var rng = new Random(1);
        FeatureSet Set() => new([.. Enumerable.Range(0, rows * dim).Select(_ => (float)rng.NextDouble())], rows, dim,
            [.. Enumerable.Range(0, rows).Select(i => $"{i}.jpg")], [.. Enumerable.Range(0, rows).Select(i => i % 40)], [.. Enumerable.Range(0, rows).Select(i => i % 3)]);
        var query = Set();
        var gallery = Set();
        var options = new EvaluationOptions { Rerank = true };
        EvaluationMemory.LimitOverride = 1 << 20;
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<ArgumentException>(() => FeatureEvaluation.Evaluate(query, gallery, options));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("400 queries against 400 gallery items with k-reciprocal re-ranking", e.Message);
            Assert.Contains("1 MiB", e.Message);
            Assert.Contains(EvaluationMemory.LimitVariable, e.Message);
            Assert.True(allocated < 64 << 10, $"{allocated} bytes were allocated before refusing"); // the 800² matrix alone would be 2.5 MB

            EvaluationMemory.LimitOverride = EvaluationMemory.EstimateBytes(rows, rows, dim, options);
            Assert.InRange(FeatureEvaluation.Evaluate(query, gallery, options).MeanAveragePrecision, 0, 1);
        }
        finally { EvaluationMemory.LimitOverride = null; }
    }
}
