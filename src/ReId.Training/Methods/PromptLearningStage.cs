using System.Diagnostics;
using ReId.MLNet.Data;
using ReId.Training.Augmentation;
using ReId.Training.Engine;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Optim;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Methods;

/// <summary>
/// Prompt learning (CLIP-ReID stage 1): with image and text encoders frozen, learn each label's prompt tokens so that the
/// text feature of "A photo of a X X X X person." matches that label's image features (image↔text contrast with label
/// positives). Image features are computed once (no augmentation), as in the paper's code. Which samples, which labels
/// and which preprocessing are the caller's: CCAFL passes per-camera labels, CSGN a grey view for its second bank.
/// </summary>
/// <param name="name">Stage name recorded in checkpoints.</param>
/// <param name="network">The whole network (put in eval mode while features are cached and prompts learnt).</param>
/// <param name="target">Image features, prompt text features and the prompt parameters.</param>
/// <param name="samples">The images and their labels (by default the training split).</param>
/// <param name="preprocess">How images are prepared for the frozen encoder (by default resize + the run's normalisation).</param>
/// <param name="seedSalt">Salt of the shuffling seed, so that two prompt stages of one run draw different orders.</param>
/// <param name="labelGroups">Optional group of each label (CCAFL: the camera of each intra-camera identity): every batch then
/// holds labels of one group only, so the contrast never sets one group's prompts against another's images. Null (the
/// default) draws batches from the whole shuffled order, exactly as before the option existed.</param>
public sealed class PromptLearningStage(string name, nn.Module network, IPromptLearningTarget target, TrainingOptions options, TrainingProgressReporter progress,
    Func<StageContext, IReadOnlyList<ReIdSample>>? samples = null, AugmentationOptions? preprocess = null, long seedSalt = 1_000_000,
    IReadOnlyList<int>? labelGroups = null) : TrainingStage
{
    /// <inheritdoc/>
    public override string Name => name;

    /// <summary>The last epoch's mean loss of the last <see cref="Run"/>.</summary>
    internal double LastLoss { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public override void Run(StageContext context)
    {
        var o = options;
        var (features, labels) = CacheImageFeatures(samples?.Invoke(context) ?? context.Dataset.Train, context.CancellationToken);
        using var featureTensor = features;
        using var labelTensor = labels;
        SetTrainable(target.Prompts, true);
        try
        {
            using var optimizer = OptimizerFactory.Create(target.Prompts, new OptimizerOptions
            {
                Kind = OptimizerKind.Adam, LearningRate = o.Stage1LearningRate, WeightDecay = 1e-4, BiasLearningRateFactor = 1,
            });
            var schedule = new WarmupCosineScheduler(o.Stage1Epochs, Math.Min(5, Math.Max(0, o.Stage1Epochs - 1)), 0.1);
            var loss = new ImageTextContrastiveLoss();
            int n = (int)labelTensor.shape[0], batch = Math.Min(o.BatchSize, n);
            long[]? labelValues = labelGroups is null ? null : LabelValues(labelTensor);
            int steps = labelValues is null ? (n + batch - 1) / batch : GroupedBatches(Enumerable.Range(0, n).ToArray(), labelValues, labelGroups!, batch, new Random(0)).Count;
            var clock = Stopwatch.StartNew();
            network.eval();
            for (int epoch = 1; epoch <= o.Stage1Epochs; epoch++)
            {
                optimizer.ScaleLearningRates(schedule.Factor(epoch - 1));
                var rng = DeterministicSeed.Create(o.Seed, seedSalt, epoch);
                var order = Shuffle(n, rng);
                var grouped = labelValues is null ? null : GroupedBatches(order, labelValues, labelGroups!, batch, rng);
                double sum = 0;
                for (int s = 0; s < steps; s++)
                {
                    using var scope = NewDisposeScope();
                    var rows = grouped is null ? order.AsSpan(s * batch, Math.Min(batch, n - s * batch)).ToArray() : grouped[s];
                    var idx = tensor(rows.Select(i => (long)i).ToArray(), device: featureTensor.device);
                    var y = labelTensor.index_select(0, idx);
                    var image = featureTensor.index_select(0, idx);
                    var text = target.TextFeatures(y);
                    var value = loss.Forward(image, text, y, y);
                    optimizer.ZeroGrad();
                    value.backward();
                    optimizer.Step();
                    sum += value.item<float>();
                    context.CancellationToken.ThrowIfCancellationRequested();
                    long done = (long)(epoch - 1) * steps + s + 1;
                    double rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    progress.Step(name, epoch, o.Stage1Epochs, s + 1, steps, sum / (s + 1), optimizer.LearningRates[0],
                        rate * batch, ((long)o.Stage1Epochs * steps - done) / Math.Max(1e-9, rate));
                }
                LastLoss = sum / steps;
            }
            progress.Line($"stage '{name}' (prompt learning): {o.Stage1Epochs} epochs, final image↔text loss {LastLoss:F4}, {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            SetTrainable(target.Prompts, false);
        }
    }

    /// <summary>Image features [N, D] of <paramref name="images"/> (with the stage's preprocessing) and their labels [N].</summary>
    internal (Tensor Features, Tensor Labels) CacheImageFeatures(IReadOnlyList<ReIdSample> images, CancellationToken cancellationToken = default)
    {
        var o = options;
        var eval = preprocess ?? new AugmentationOptions { Height = o.InputHeight, Width = o.InputWidth, Normalization = o.Normalization };
        var device = target.Prompts.parameters().FirstOrDefault()?.device ?? CPU;
        var parts = new List<Tensor>();
        var labels = new List<long>();
        network.eval();
        using (no_grad())
        {
            foreach (var b in FeatureExtractor.Batches(images, eval, workers: o.Workers, cancellationToken: cancellationToken))
            {
                using var x = b.ImagesTensor(device);
                parts.Add(target.ImageFeatures(x));
                labels.AddRange(b.Labels.Select(l => (long)l));
            }
        }
        progress.Line($"stage '{name}': cached the image features of {labels.Count} images");
        var features = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return (features, tensor(labels.ToArray(), device: device));
    }

    private static void SetTrainable(nn.Module part, bool trainable)
    {
        foreach (var p in part.parameters()) p.requires_grad = trainable;
    }

    /// <summary>
    /// Batches of one label group each: the shuffled <paramref name="order"/> split by group (keeping its order inside a
    /// group), each group cut into batches of at most <paramref name="batch"/>, and the batches shuffled by <paramref name="rng"/>.
    /// The number of batches depends only on the group sizes, not on the order.
    /// </summary>
    internal static List<int[]> GroupedBatches(int[] order, IReadOnlyList<long> labels, IReadOnlyList<int> labelGroups, int batch, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var byGroup = new SortedDictionary<int, List<int>>();
        foreach (int i in order)
        {
            long label = labels[i];
            if (label < 0 || label >= labelGroups.Count)
                throw new ArgumentException($"label {label} has no group (the groups cover labels 0..{labelGroups.Count - 1})", nameof(labelGroups));
            int g = labelGroups[(int)label];
            if (!byGroup.TryGetValue(g, out var members)) byGroup[g] = members = [];
            members.Add(i);
        }
        var batches = new List<int[]>();
        foreach (var members in byGroup.Values)
            for (int start = 0; start < members.Count; start += batch)
                batches.Add([.. members.GetRange(start, Math.Min(batch, members.Count - start))]);
        var shuffled = batches.ToArray();
        rng.Shuffle(shuffled);
        return [.. shuffled];
    }

    private static long[] LabelValues(Tensor labels)
    {
        using var copy = labels.clone();
        using var onCpu = copy.cpu();
        return onCpu.data<long>().ToArray();
    }

    private static int[] Shuffle(int n, Random rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        return order;
    }
}
