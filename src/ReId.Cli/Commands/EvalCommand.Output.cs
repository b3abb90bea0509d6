using System.Text.Json.Serialization;
using ReId.Cli.Infrastructure;
using ReId.MLNet.Evaluation;

namespace ReId.Cli.Commands;

/// <summary>How `reid eval` prints its metrics (text or one JSON object).</summary>
internal sealed partial class EvalCommand
{
    private static void Print(CliContext ctx, ReIdMetrics m, bool json)
    {
        if (json)
        {
            ctx.WriteJson(new EvalJson(m.MeanAveragePrecision, m.MeanInverseNegativePenalty, m.Cmc, m.Rank1, m.ValidQueries));
            return;
        }
        ctx.Out.WriteLine($"mAP     {m.MeanAveragePrecision:P2}");
        ctx.Out.WriteLine($"mINP    {m.MeanInverseNegativePenalty:P2}");
        ctx.Out.WriteLine($"rank-1  {m.Rank1:P2}");
        ctx.Out.WriteLine($"rank-5  {m.Rank5:P2}");
        ctx.Out.WriteLine($"rank-10 {m.Rank10:P2}");
        ctx.Out.WriteLine($"valid queries: {m.ValidQueries}");
    }

    private sealed record EvalJson(
        [property: JsonPropertyName("mAP")] double MAP,
        [property: JsonPropertyName("mINP")] double MINP,
        [property: JsonPropertyName("cmc")] float[] Cmc,
        [property: JsonPropertyName("rank1")] double Rank1,
        [property: JsonPropertyName("validQueries")] int ValidQueries);
}
