using System.Text.Json;
using ReId.MLNet.Data.Datasets;
using ReId.Training.Engine;
using ReId.Training.Recipes;

namespace ReId.Training.Tests.Methods.Ccafl;

/// <summary>
/// The CCAFL ablation (docs/methods/ccafl.md) through the real trainer, run only when REID_CCAFL_ABLATION names a
/// market1501 folder; one JSON line per run goes to REID_CCAFL_ABLATION_OUT. REID_CCAFL_SET holds extra --set
/// assignments separated by ';' (to size the runs), REID_CCAFL_VARIANTS and REID_CCAFL_SEEDS pick the runs.
/// </summary>
public sealed class CcaflAblationRun
{
    private static readonly string? Data = Environment.GetEnvironmentVariable("REID_CCAFL_ABLATION");

    [Fact]
    public void Ablation()
    {
        if (string.IsNullOrEmpty(Data)) return;
        string output = Environment.GetEnvironmentVariable("REID_CCAFL_ABLATION_OUT") ?? "ccafl-ablation.jsonl";
        var sets = (Environment.GetEnvironmentVariable("REID_CCAFL_SET") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var variants = (Environment.GetEnvironmentVariable("REID_CCAFL_VARIANTS") ?? "baseline,icdl,association,ical,bot-small").Split(',');
        var seeds = (Environment.GetEnvironmentVariable("REID_CCAFL_SEEDS") ?? "1,2,3").Split(',').Select(long.Parse).ToArray();
        var dataset = DatasetFormats.Load("market1501", Data);
        foreach (var seed in seeds)
            foreach (var variant in variants)
                File.AppendAllText(output, JsonSerializer.Serialize(Run(dataset, variant, seed, sets)) + "\n");
    }

    private static Dictionary<string, object?> Run(ReIdDataset dataset, string variant, long seed, string[] sets)
    {
        var o = TrainingRecipes.Get(variant == "bot-small" ? "bot-small" : "ccafl-small");
        o.Seed = seed;
        // Shared sizing first (epochs, input size …), then what the variant switches off.
        TrainingOptionOverrides.Apply(o, sets.Where(s => variant != "bot-small" || !s.TrimStart().StartsWith("ccafl.", StringComparison.Ordinal)));
        string[] switches = variant switch
        {
            "baseline" => ["ccafl.icdl=false", "ccafl.association=false", "ccafl.adversarial=false"],
            "icdl" => ["ccafl.association=false", "ccafl.adversarial=false"],
            "association" => ["ccafl.adversarial=false"],
            "ical" or "bot-small" => [],
            _ => throw new ArgumentException($"variant '{variant}'"),
        };
        TrainingOptionOverrides.Apply(o, switches);
        string dir = Path.Combine(Path.GetTempPath(), $"ccafl-ablation-{variant}-{seed}-{Guid.NewGuid():N}");
        try
        {
            var result = new ReIdTrainer(o).Train(dataset, dir);
            var rows = MetricsLog.Load(dir).Rows;
            return new Dictionary<string, object?>
            {
                ["variant"] = variant, ["seed"] = seed, ["epochs"] = o.Epochs, ["initial_map"] = result.InitialMetrics?.MeanAveragePrecision,
                ["map"] = result.FinalMetrics?.MeanAveragePrecision, ["rank1"] = result.FinalMetrics?.Rank1,
                ["images_per_second"] = result.TrainingImagesPerSecond, ["seconds"] = result.TrainingSeconds,
                ["per_epoch"] = rows.Where(r => r.Epoch > 0).Select(r => new Dictionary<string, object?>
                {
                    ["epoch"] = r.Epoch, ["loss"] = r.Loss, ["map"] = double.IsNaN(r.MAP) ? null : r.MAP, ["extra"] = r.Extra,
                }).ToList(),
            };
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
