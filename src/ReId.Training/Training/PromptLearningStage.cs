using System.Diagnostics;
using ReId.MLNet.Data.Datasets;
using ReId.Training.Augmentation;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Optim;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using static TorchSharp.torch;

namespace ReId.Training.Training;

/// <summary>
/// CLIP-ReID stage 1: with image and text encoders frozen, learn each identity's prompt tokens so that the text
/// feature of "A photo of a X X X X person." matches that identity's image features (image↔text contrast with
/// identity positives). Image features are computed once (no augmentation), as in the paper's code.
/// </summary>
public sealed class PromptLearningStage(TrainingOptions options, TrainingProgressReporter progress)
{
    /// <summary>Learns the prompts of <paramref name="model"/> on the training split; returns the last epoch's mean loss.</summary>
    public double Run(ClipReIdModel model, ReIdDataset dataset, CancellationToken cancellationToken = default)
    {
        var o = options;
        var (features, labels) = CacheImageFeatures(model, dataset, cancellationToken);
        using var featureTensor = features;
        using var labelTensor = labels;
        ClipReIdModel.SetTrainable(model.Prompt, true);
        try
        {
            using var optimizer = OptimizerFactory.Create(model.Prompt, new OptimizerOptions
            {
                Kind = OptimizerKind.Adam, LearningRate = o.Stage1LearningRate, WeightDecay = 1e-4, BiasLearningRateFactor = 1,
            });
            var schedule = new WarmupCosineScheduler(o.Stage1Epochs, Math.Min(5, Math.Max(0, o.Stage1Epochs - 1)), 0.1);
            var loss = new ImageTextContrastiveLoss();
            int n = (int)labelTensor.shape[0], batch = Math.Min(o.BatchSize, n);
            int steps = (n + batch - 1) / batch;
            var clock = Stopwatch.StartNew();
            double lastMean = double.NaN;
            model.eval();
            for (int epoch = 1; epoch <= o.Stage1Epochs; epoch++)
            {
                optimizer.ScaleLearningRates(schedule.Factor(epoch - 1));
                var order = Shuffle(n, DeterministicSeed.Create(o.Seed, 1_000_000, epoch));
                double sum = 0;
                for (int s = 0; s < steps; s++)
                {
                    using var scope = NewDisposeScope();
                    var idx = tensor(order.AsSpan(s * batch, Math.Min(batch, n - s * batch)).ToArray().Select(i => (long)i).ToArray());
                    var y = labelTensor.index_select(0, idx);
                    var image = featureTensor.index_select(0, idx);
                    var text = model.TextFeatures(y);
                    var value = loss.Forward(image, text, y, y);
                    optimizer.ZeroGrad();
                    value.backward();
                    optimizer.Step();
                    sum += value.item<float>();
                    cancellationToken.ThrowIfCancellationRequested();
                    long done = (long)(epoch - 1) * steps + s + 1;
                    double rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    progress.Step("prompts", epoch, o.Stage1Epochs, s + 1, steps, sum / (s + 1), optimizer.LearningRates[0],
                        rate * batch, ((long)o.Stage1Epochs * steps - done) / Math.Max(1e-9, rate));
                }
                lastMean = sum / steps;
            }
            progress.Line($"stage 1 (prompt learning): {o.Stage1Epochs} epochs, final image↔text loss {lastMean:F4}, {clock.Elapsed.TotalSeconds:F1} s");
            return lastMean;
        }
        finally
        {
            ClipReIdModel.SetTrainable(model.Prompt, false);
        }
    }

    /// <summary>Projected image features [N, D] of the training split (evaluation transform) and their labels [N].</summary>
    public (Tensor Features, Tensor Labels) CacheImageFeatures(ClipReIdModel model, ReIdDataset dataset, CancellationToken cancellationToken = default)
    {
        var o = options;
        var eval = new AugmentationOptions { Height = o.InputHeight, Width = o.InputWidth, Normalization = o.Normalization };
        var parts = new List<Tensor>();
        var labels = new List<long>();
        model.eval();
        using (no_grad())
        {
            foreach (var b in FeatureExtractor.Batches(dataset.Train, eval, workers: o.Workers, cancellationToken: cancellationToken))
            {
                using var x = b.ImagesTensor();
                parts.Add(model.ImageFeatures(x));
                labels.AddRange(b.Labels.Select(l => (long)l));
            }
        }
        progress.Line($"stage 1: cached the image features of {labels.Count} training images");
        var features = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return (features, tensor(labels.ToArray()));
    }

    private static int[] Shuffle(int n, Random rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        return order;
    }
}
