using System.Globalization;
using System.Text;
using ReId.MLNet.IO;
using ReId.MLNet.Visualization;
using ReId.Training.Recipes;

namespace ReId.Training.Engine;

/// <summary>Writes a run's <c>report.md</c> with its settings, per-epoch metrics, final figures, a CMC plot and training curves.</summary>
public static class RunReport
{
    /// <summary>Writes report.md, cmc.png and curves.png into the run folder.</summary>
    /// <param name="protocols">The final model under further protocols (the clothes-changing ones), tabled side by side.</param>
    public static void Write(string runDirectory, TrainingOptions options, MetricsLog log, float[]? finalCmc, double finalMap, double finalMinp, string datasetDescription,
        IReadOnlyDictionary<string, ReId.MLNet.Evaluation.ReIdMetrics>? protocols = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine($"# ReID training run: {options.Recipe}");
        md.AppendLine();
        md.AppendLine($"Data: {datasetDescription}");
        md.AppendLine();
        md.AppendLine("## Result");
        md.AppendLine();
        if (finalCmc is { Length: > 0 })
        {
            string R(int k) => finalCmc.Length >= k ? (100 * finalCmc[k - 1]).ToString("F2", inv) : "n/a";
            md.AppendLine("| mAP | rank-1 | rank-5 | rank-10 | mINP |");
            md.AppendLine("|---|---|---|---|---|");
            md.AppendLine($"| {(100 * finalMap).ToString("F2", inv)} | {R(1)} | {R(5)} | {R(10)} | {(100 * finalMinp).ToString("F2", inv)} |");
            md.AppendLine();
            if (protocols is { Count: > 0 })
            {
                md.AppendLine("| protocol | mAP | rank-1 | rank-5 | mINP | queries |");
                md.AppendLine("|---|---|---|---|---|---|");
                foreach (var (name, m) in protocols)
                    md.AppendLine($"| {name} | {(100 * m.MeanAveragePrecision).ToString("F2", inv)} | {(100 * m.Rank1).ToString("F2", inv)} | {(100 * m.Rank5).ToString("F2", inv)} | {(100 * m.MeanInverseNegativePenalty).ToString("F2", inv)} | {m.ValidQueries} |");
                md.AppendLine();
            }
            md.AppendLine("![CMC curve](cmc.png)");
            var cmc = new CmcPlot { Title = "CMC (final model)" }.Add("final model", finalCmc);
            cmc.SavePng(Path.Combine(runDirectory, "cmc.png"));
        }
        else md.AppendLine("No evaluation was run.");
        md.AppendLine();

        var train = log.Rows.Where(r => r.Stage == "train" && r.Epoch > 0).ToList(); // epoch 0 is the untrained evaluation, not a training epoch
        if (train.Count > 0)
        {
            md.AppendLine("## Training curves");
            md.AppendLine();
            md.AppendLine("![training curves](curves.png)");
            var curves = new TrainingCurvesPlot { Title = "Training" };
            curves.Losses.Add(new ChartSeries("loss", train.Select(r => (double)r.Epoch).ToList(), train.Select(r => r.Loss).ToList()));
            var evaluated = log.Rows.Where(r => !double.IsNaN(r.MAP)).ToList();
            if (evaluated.Count > 0)
            {
                curves.Metrics.Add(new ChartSeries("mAP", evaluated.Select(r => (double)r.Epoch).ToList(), evaluated.Select(r => r.MAP).ToList()));
                curves.Metrics.Add(new ChartSeries("rank-1", evaluated.Select(r => (double)r.Epoch).ToList(), evaluated.Select(r => r.Rank1).ToList()));
            }
            curves.SavePng(Path.Combine(runDirectory, "curves.png"));
            md.AppendLine();
        }

        md.AppendLine("## Per-epoch metrics");
        md.AppendLine();
        // Clothes-changing data: the cc-only figures stand beside the default (cc-standard) ones.
        bool ccOnly = log.Rows.Any(r => r.Extra?.ContainsKey("cc-only-map") == true);
        string ccHead = ccOnly ? " cc-only mAP | cc-only rank-1 |" : "", ccRule = ccOnly ? "---|---|" : "";
        md.AppendLine("| stage | epoch | loss | accuracy | lr | img/s | mAP | rank-1 |" + ccHead);
        md.AppendLine("|---|---|---|---|---|---|---|---|" + ccRule);
        foreach (var r in log.Rows)
        {
            string cc = ccOnly ? $" {Pct(r.Extra?.GetValueOrDefault("cc-only-map", double.NaN) ?? double.NaN)} | {Pct(r.Extra?.GetValueOrDefault("cc-only-rank1", double.NaN) ?? double.NaN)} |" : "";
            md.AppendLine($"| {r.Stage} | {r.Epoch} | {r.Loss.ToString("F4", inv)} | {r.Accuracy.ToString("F3", inv)} | {r.LearningRate.ToString("G3", inv)} | {r.ImagesPerSecond.ToString("F1", inv)} | {Pct(r.MAP)} | {Pct(r.Rank1)} |" + cc);
        }
        md.AppendLine();
        md.AppendLine("## Settings");
        md.AppendLine();
        md.AppendLine("| setting | value |");
        md.AppendLine("|---|---|");
        foreach (var (key, value, _) in TrainingOptionOverrides.Describe(options)) md.AppendLine($"| {key} | {value} |");
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "report.md"), md.ToString());

        string Pct(double v) => double.IsNaN(v) ? "" : (100 * v).ToString("F2", inv);
    }
}
