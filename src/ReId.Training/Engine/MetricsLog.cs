using System.Globalization;
using System.Text;
using System.Text.Json;
using ReId.MLNet.IO;

namespace ReId.Training.Engine;

/// <summary>Per-epoch metrics of a run, rewritten as <c>metrics.csv</c> and <c>metrics.json</c> after every epoch.</summary>
public sealed class MetricsLog
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly List<EpochMetrics> _rows = [];

    public IReadOnlyList<EpochMetrics> Rows => _rows;

    /// <summary>Adds (or replaces, after a resume) the row of an epoch and stage.</summary>
    public void Add(EpochMetrics row)
    {
        _rows.RemoveAll(r => r.Epoch == row.Epoch && r.Stage == row.Stage);
        _rows.Add(row);
        _rows.Sort((a, b) => a.Stage == b.Stage ? a.Epoch.CompareTo(b.Epoch) : string.CompareOrdinal(a.Stage, b.Stage) * -1);
    }

    public void Save(string runDirectory)
    {
        // Method-specific figures become extra columns after the shared ones (empty where an epoch has none).
        var extra = _rows.SelectMany(r => r.Extra?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder("stage,epoch,loss,id_loss,metric_loss,accuracy,lr,images_per_s,seconds,mAP,rank1,rank5,mINP");
        foreach (string name in extra) csv.Append(',').Append(name);
        csv.Append('\n');
        foreach (var r in _rows)
        {
            csv.Append(string.Join(',', r.Stage, r.Epoch.ToString(CultureInfo.InvariantCulture),
                F(r.Loss), F(r.IdentityLoss), F(r.MetricLoss), F(r.Accuracy), F(r.LearningRate), F(r.ImagesPerSecond), F(r.Seconds),
                F(r.MAP), F(r.Rank1), F(r.Rank5), F(r.MINP)));
            foreach (string name in extra) csv.Append(',').Append(r.Extra is { } e && e.TryGetValue(name, out double v) ? F(v) : "");
            csv.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "metrics.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "metrics.json"), JsonSerializer.Serialize(_rows, Json));
    }

    /// <summary>Reads <c>metrics.json</c> of a run (for resume); an absent file gives an empty log.</summary>
    public static MetricsLog Load(string runDirectory)
    {
        var log = new MetricsLog();
        string path = Path.Combine(runDirectory, "metrics.json");
        if (!File.Exists(path)) return log;
        try
        {
            foreach (var row in JsonSerializer.Deserialize<List<EpochMetrics>>(File.ReadAllText(path), Json) ?? []) log.Add(row);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid metrics file: {e.Message}", e);
        }
        return log;
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
}
