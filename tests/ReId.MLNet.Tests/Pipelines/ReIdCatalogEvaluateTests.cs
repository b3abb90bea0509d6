using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Pipelines;

namespace ReId.MLNet.Tests.Pipelines;

public class ReIdCatalogEvaluateTests
{
    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public int Identity { get; set; }
        public float Camera { get; set; }   // float on purpose: ML.NET text loaders give floats
    }

    [Fact]
    public void EvaluatesDataViewsLikeTheHandComputation()
    {
        var ml = new MLContext(1);
        var query = ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 0], Identity = 1, Camera = 1 }, new Row { Features = [0.9f, 0.5f], Identity = 2, Camera = 1 } });
        var gallery = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Features = [0.8f, 0.6f], Identity = 2, Camera = 2 }, new Row { Features = [1, 0.1f], Identity = 1, Camera = 2 },
            new Row { Features = [0, 1], Identity = 2, Camera = 2 },
        });
        var m = ml.ReId().Evaluate(query, gallery);
        Assert.Equal(11.0 / 12, m.MeanAveragePrecision, 6); // (1 + (1 + 2/3)/2) / 2, as in the CLI test
        Assert.Equal(2, m.ValidQueries);
    }

    [Fact]
    public void AMissingColumnIsNamed()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 0], Identity = 1, Camera = 1 } });
        var e = Assert.Throws<ArgumentException>(() => ml.ReId().Evaluate(view, view, featureColumnName: "Embedding"));
        Assert.Contains("'Embedding'", e.Message);
    }
}
