using System.Text.Json;
using ReId.MLNet.Features;
using SkiaSharp;

namespace ReId.Cli.Tests.Commands;

public class SearchCommandTests
{
    private static float[] RandomRows(Random rng, int rows, int dim) => [.. Enumerable.Range(0, rows * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    /// <summary>Brute force in double precision: (distance, index) of every gallery row, best first, ties by index.</summary>
    private static (int Index, double Distance)[] BruteForce(float[] q, int i, float[] g, int ng, int dim, string metric)
    {
        double[] Row(float[] x, int r, bool normalise)
        {
            var v = Enumerable.Range(0, dim).Select(t => (double)x[r * dim + t]).ToArray();
            double n = Math.Sqrt(v.Sum(a => a * a));
            return normalise ? [.. v.Select(a => a / n)] : v;
        }
        bool cosine = metric == "cosine";
        var qi = Row(q, i, cosine);
        return [.. Enumerable.Range(0, ng).Select(j =>
        {
            var gj = Row(g, j, cosine);
            double d = cosine ? 1 - qi.Zip(gj, (a, b) => a * b).Sum() : Math.Sqrt(qi.Zip(gj, (a, b) => (a - b) * (a - b)).Sum());
            return (j, d);
        }).OrderBy(p => p.d).ThenBy(p => p.j)];
    }

    [Theory]
    [InlineData("cosine")]
    [InlineData("euclidean")]
    public void IndicesAndDistancesMatchABruteForceSearch(string metric)
    {
        string dir = Directory.CreateTempSubdirectory("reid-search").FullName;
        try
        {
            var rng = new Random(11);
            int nq = 7, ng = 301, dim = 12, k = 9;
            float[] q = RandomRows(rng, nq, dim), g = RandomRows(rng, ng, dim);
            string qPath = Path.Combine(dir, "q.npy"), gPath = Path.Combine(dir, "g.npy"), outPath = Path.Combine(dir, "idx.npy");
            NpyFile.Write(qPath, q, nq, dim);
            NpyFile.Write(gPath, g, ng, dim);
            var (code, output, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", gPath, "--top-k", $"{k}",
                "--metric", metric, "--out", outPath, "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(nq, doc.RootElement.GetProperty("queries").GetInt32());
            Assert.Equal(k, doc.RootElement.GetProperty("topK").GetInt32());
            var (indices, rows, columns) = NpyInt64File.Read(outPath);
            var (distances, dRows, dColumns) = NpyFile.Read(Path.Combine(dir, "idx.distances.npy"));
            Assert.Equal((nq, k), (rows, columns));
            Assert.Equal((nq, k), (dRows, dColumns));
            for (int i = 0; i < nq; i++)
            {
                var expected = BruteForce(q, i, g, ng, dim, metric);
                for (int t = 0; t < k; t++)
                {
                    Assert.Equal(expected[t].Index, indices[i * k + t]);
                    Assert.Equal(expected[t].Distance, distances[i * k + t], 1e-5);
                }
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadInputExitsTwoNamingTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("reid-search").FullName;
        try
        {
            string qPath = Path.Combine(dir, "q.npy"), gPath = Path.Combine(dir, "g.npy"), outPath = Path.Combine(dir, "idx.npy");
            NpyFile.Write(qPath, new float[6], 2, 3);
            NpyFile.Write(gPath, new float[8], 2, 4);
            var (code, _, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", gPath, "--out", outPath);
            Assert.Equal(2, code);
            Assert.Contains("g.npy", err);
            Assert.DoesNotContain("   at ", err);

            (code, _, err) = CliRunner.Run("search", "--query-features", Path.Combine(dir, "missing.npy"), "--gallery-features", gPath, "--out", outPath);
            Assert.Equal(2, code);
            Assert.Contains("missing.npy", err);

            NpyFile.Write(gPath, [1, 2, float.NaN, 4, 5, 6], 2, 3);
            (code, _, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", gPath, "--out", outPath);
            Assert.Equal(2, code);
            Assert.Contains("g.npy", err);
            Assert.Contains("row 0", err);

            // No CUDA device on the machines the tests run on: asking for one is bad input naming the option.
            (code, _, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", qPath, "--out", outPath, "--gpu", "0");
            Assert.Equal(2, code);
            Assert.Contains("--gpu 0", err);

            (code, _, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", qPath, "--out", outPath, "--top-k", "0");
            Assert.Equal(2, code);
            Assert.Contains("--top-k", err);
            Assert.False(File.Exists(outPath));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RankListIsDrawnFromTheSidecars()
    {
        string dir = Directory.CreateTempSubdirectory("reid-search").FullName;
        try
        {
            string Image(string name, SKColor colour)
            {
                using var bitmap = new SKBitmap(16, 32);
                bitmap.Erase(colour);
                using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, name), data.ToArray());
                return name; // relative to the sidecar's folder
            }
            string qPath = Path.Combine(dir, "q.npy"), gPath = Path.Combine(dir, "g.npy"), png = Path.Combine(dir, "ranks.png");
            FeatureFile.Write(qPath, new FeatureSet([1, 0, 0, 1], 2, 2, [Image("qa.png", SKColors.Red), Image("qb.png", SKColors.Blue)], [1, 2], [1, 1]));
            FeatureFile.Write(gPath, new FeatureSet([0.9f, 0.1f, 0.1f, 0.9f, 1, 1], 3, 2,
                [Image("g1.png", SKColors.Red), Image("g2.png", SKColors.Blue), Image("g3.png", SKColors.Gray)], [1, 2, 3], [2, 2, 2]));
            var (code, _, err) = CliRunner.Run("search", "--query-features", qPath, "--gallery-features", gPath, "--top-k", "2",
                "--out", Path.Combine(dir, "idx.npy"), "--rank-list", png);
            Assert.True(code == 0, err);
            using var picture = SKBitmap.Decode(png);
            Assert.NotNull(picture);
            Assert.True(picture.Width > 3 * 16 && picture.Height > 2 * 32);
        }
        finally { Directory.Delete(dir, true); }
    }
}
