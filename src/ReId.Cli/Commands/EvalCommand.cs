using System.CommandLine;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;

namespace ReId.Cli.Commands;

/// <summary>`reid eval`: CMC, mAP and mINP of query/gallery feature files (or of a trained model on a dataset).</summary>
internal sealed partial class EvalCommand : ICliCommand
{
    public string[] Path => ["eval"];
    public string Description => "Evaluate retrieval: --query-features Q.npy --gallery-features G.npy, or --model RUN --data DIR --format F.";

    private readonly Option<string?> _queryFeatures = new("--query-features") { Description = "Query features (.npy with a .csv sidecar)" };
    private readonly Option<string?> _galleryFeatures = new("--gallery-features") { Description = "Gallery features (.npy with a .csv sidecar)" };
    private readonly Option<string> _metric = new("--metric") { Description = "cosine or euclidean", DefaultValueFactory = _ => "cosine" };
    private readonly Option<bool> _rerank = new("--rerank") { Description = "k-reciprocal re-ranking; needs about 8·(q+g)² bytes (2.6 GB for 3,000 queries + 15,000 gallery items, 13 GB at 40,000) against 8·q·g without it. A job larger than the available memory is refused before it starts; REID_MEMORY_LIMIT=SIZE (e.g. 16G) overrides the detected amount" };
    private readonly Option<int> _k1 = new("--k1") { Description = "re-ranking k1", DefaultValueFactory = _ => 20 };
    private readonly Option<int> _k2 = new("--k2") { Description = "re-ranking k2", DefaultValueFactory = _ => 6 };
    private readonly Option<float> _lambda = new("--lambda") { Description = "re-ranking λ", DefaultValueFactory = _ => 0.3f };
    private readonly Option<bool> _aqe = new("--aqe") { Description = "average query expansion" };
    private readonly Option<string> _protocol = new("--protocol") { Description = "market, vehicleid, cc-standard or cc-only", DefaultValueFactory = _ => "market" };
    private readonly Option<int> _maxRank = new("--max-rank") { Description = "length of the CMC curve", DefaultValueFactory = _ => 50 };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object" };
    private readonly Option<int> _trials = new("--trials") { Description = "vehicleid: average over this many seeded one-image-per-identity gallery draws of query+gallery", DefaultValueFactory = _ => 1 };

    public void Configure(Command command, CliContext ctx)
    {
        foreach (var o in new Option[] { _queryFeatures, _galleryFeatures, _metric, _rerank, _k1, _k2, _lambda, _aqe, _protocol, _maxRank, _json, _trials })
            command.Options.Add(o);
        ConfigureModelOptions(command);
        command.SetAction(parse =>
        {
            var options = ReadOptions(parse);
            ReIdMetrics metrics;
            if (parse.GetValue(_queryFeatures) is { } q)
            {
                string g = parse.GetValue(_galleryFeatures) ?? throw new CliUsageException("--gallery-features is required with --query-features");
                int trials = OptionValues.Positive(parse.GetValue(_trials), "--trials");
                if (trials > 1 && options.Protocol != EvaluationProtocol.VehicleId) throw new CliUsageException("--trials goes with --protocol vehicleid");
                metrics = FeatureEvaluation.EvaluateFiles(q, g, options, trials);
            }
            else if (TryEvaluateModel(parse, options, ctx) is { } modelMetrics) metrics = modelMetrics;
            else throw new CliUsageException("nothing to evaluate: give --query-features Q.npy --gallery-features G.npy, or --model RUN --data DIR --format F");
            Print(ctx, metrics, parse.GetValue(_json));
            return 0;
        });
    }

    private EvaluationOptions ReadOptions(ParseResult parse) => new()
    {
        Metric = OptionValues.Choice<DistanceMetric>(parse.GetValue(_metric)!, "--metric"),
        Protocol = parse.GetValue(_protocol)!.ToLowerInvariant() switch
        {
            "market" => EvaluationProtocol.Market,
            "vehicleid" => EvaluationProtocol.VehicleId,
            "cc-standard" => EvaluationProtocol.ClothesChangingStandard,
            "cc-only" => EvaluationProtocol.ClothesChangingOnly,
            var p => throw new CliUsageException($"--protocol '{p}': expected market, vehicleid, cc-standard or cc-only"),
        },
        Rerank = parse.GetValue(_rerank),
        K1 = OptionValues.Positive(parse.GetValue(_k1), "--k1"),
        K2 = OptionValues.Positive(parse.GetValue(_k2), "--k2"),
        Lambda = parse.GetValue(_lambda) is var l and >= 0 and <= 1 ? l : throw new CliUsageException($"--lambda {parse.GetValue(_lambda)}: expected a value in [0, 1]"),
        QueryExpansion = parse.GetValue(_aqe),
        MaxRank = OptionValues.Positive(parse.GetValue(_maxRank), "--max-rank"),
    };
}
