using System.Diagnostics;
using System.Globalization;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.Synthetic;
using ReId.Training.Augmentation;
using ReId.Training.Methods;
using ReId.Training.Optim;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Benchmarks;

/// <summary>
/// Training throughput of a recipe's step exactly as <c>ReIdTrainer</c> takes it (the method's loss over a batch record, zero
/// grad, backward, optional clipping, optimiser step): once on random input (the compute alone) and, with <c>--loader</c>, fed
/// by the real data loader over synthetic JPEGs (decode + augmentation in the background). The PyTorch side of the comparison
/// is <c>benchmarks/train_step_pytorch.py</c>; <c>benchmarks/train-step-vs-pytorch.sh</c> runs both.
/// </summary>
internal sealed class TrainStepBenchmark : IBenchmark
{
    public string Name => "train-step";

    public string Description => "images/s of forward + loss + backward + optimiser step of a recipe; args: [--recipe bot-small|bot|…] " +
        "[--steps N=10] [--warmup N=2] [--classes N=64] [--threads N] [--loader] [--layout recipe|channels-last|nchw]";

    public int Run(string[] args, TextWriter output)
    {
        string recipe = BenchmarkArgs.Text(args, "--recipe", "bot-small");
        int steps = BenchmarkArgs.Int(args, "--steps", 10), warmup = BenchmarkArgs.Int(args, "--warmup", 2), classes = BenchmarkArgs.Int(args, "--classes", 64);
        if (BenchmarkArgs.Int(args, "--threads", 0) is > 0 and var threads) set_num_threads(threads);
        bool withLoader = args.Contains("--loader");
        string layout = BenchmarkArgs.Text(args, "--layout", "recipe");
        var o = TrainingRecipes.Get(recipe);
        o.Seed = 1;
        o.ChannelsLast = layout switch
        {
            "recipe" => o.ChannelsLast,
            "channels-last" => true,
            "nchw" => false,
            _ => throw new ArgumentException($"--layout '{layout}': expected recipe, channels-last or nchw"),
        };
        var method = TrainingMethods.Get(o.Method);
        o.Section ??= method.CreateSection();
        manual_seed(1);

        string? root = withLoader ? Directory.CreateTempSubdirectory("reid-train-step-").FullName : null;
        try
        {
            IReadOnlyList<ReIdSample> samples = root is null ? SyntheticSamples(classes, o.ImagesPerIdentity) : LoaderSamples(root, classes, o);
            int[] labels = [.. samples.Select(s => s.Label)];
            classes = labels.Max() + 1;
            using var session = method.CreateSession(new MethodContext { Options = o, Classes = classes, TrainSamples = samples, CameraIds = [0, 1, 2, 3] });
            var model = session.Network;
            using var optimizer = OptimizerFactory.Create(session.OptimizedParameters, new OptimizerOptions
            {
                Kind = OptimizerOptions.ParseKind(o.Optimizer), LearningRate = o.LearningRate, WeightDecay = o.WeightDecay,
                BiasLearningRateFactor = o.BiasLearningRateFactor, Momentum = o.Momentum,
            });
            model.train();
            int batch = o.IdentitiesPerBatch * o.ImagesPerIdentity;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train-step: recipe {recipe} ({o.Backbone}, {o.InputHeight}x{o.InputWidth}, batch {batch} = {o.IdentitiesPerBatch}x{o.ImagesPerIdentity}, " +
                $"{o.Optimizer}), {(o.ChannelsLast ? "channels-last" : "NCHW")}, {classes} classes, torch threads {get_num_threads()}, " +
                $"{warmup} warm-up + {steps} timed steps, load average {LoadAverage()}"));

            var sampler = new RandomIdentitySampler(labels, o.IdentitiesPerBatch, o.ImagesPerIdentity, o.Seed);
            // Factories: the batch's tensors are made inside the step's dispose scope and freed with it.
            IEnumerable<Func<TrainingBatch>> Batches()
            {
                if (root is null)
                {
                    for (int i = 0; ; i++)
                    {
                        int step = i;
                        yield return () => RandomBatch(o, step, classes);
                    }
                }
                var aug = new AugmentationOptions
                {
                    Height = o.InputHeight, Width = o.InputWidth, FlipProbability = o.FlipProbability, Padding = o.Padding,
                    ErasingProbability = o.RandomErasingProbability, Normalization = o.Normalization,
                };
                var loader = new BatchLoader(samples, sampler, AugmentationPipeline.ForTraining(aug), new BatchLoaderOptions { Workers = o.Workers, Prefetch = o.Prefetch, Seed = o.Seed });
                var norm = Normalization.FromName(o.Normalization);
                for (int epoch = 1; ; epoch++)
                    foreach (var b in loader.Batches(new SamplerPosition(epoch, 0)))
                        yield return () => new TrainingBatch(b.ImagesTensor(CPU), b.LabelsTensor(CPU), zeros(b.Count, ScalarType.Int64), null, b.Indices, norm);
            }

            var times = new List<double>();
            var clock = Stopwatch.StartNew();
            double firstLoss = double.NaN, lastLoss = double.NaN;
            int taken = 0;
            foreach (var next in Batches())
            {
                using (NewDisposeScope())
                {
                    var record = next();
                    if (o.ChannelsLast) record = record with { Images = ChannelsLast.From(record.Images) };
                    using var step = session.Loss(record);
                    optimizer.ZeroGrad();
                    session.AfterZeroGrad();
                    step.Loss.Total.backward();
                    if (o.GradientClipNorm > 0) GradientClipping.ClipByNorm(optimizer.Parameters, o.GradientClipNorm);
                    optimizer.Step();
                    session.AfterStep();
                    lastLoss = step.Loss.Total.item<float>();
                    if (taken == 0) firstLoss = lastLoss;
                }
                taken++;
                if (taken == warmup) clock.Restart();
                else if (taken > warmup) times.Add(clock.Elapsed.TotalSeconds);
                if (taken >= warmup + steps) break;
            }
            double seconds = times[^1];
            var perStep = times.Select((t, i) => i == 0 ? t : t - times[i - 1]).Order().ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(root is null ? "random input" : "data loader")}: {steps * batch / seconds:F1} images/s ({seconds / steps:F3} s per step; " +
                $"fastest {perStep[0]:F3} s, median {perStep[perStep.Length / 2]:F3} s); loss {firstLoss:F3} -> {lastLoss:F3}"));
            return 0;
        }
        finally
        {
            if (root is not null) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Random images (seeded per step) with P×K labels: identity p of the batch is class (step·P + p) mod classes.</summary>
    private static TrainingBatch RandomBatch(TrainingOptions o, int step, int classes)
    {
        int p = o.IdentitiesPerBatch, k = o.ImagesPerIdentity;
        var generator = new Generator((ulong)(1000 + step));
        var images = randn([p * k, 3, o.InputHeight, o.InputWidth], generator: generator);
        var labels = tensor(Enumerable.Range(0, p * k).Select(i => (long)((step * p + i / k) % classes)).ToArray());
        return new TrainingBatch(images, labels, zeros(p * k, ScalarType.Int64), null, [.. Enumerable.Range(0, p * k)], Normalization.FromName(o.Normalization));
    }

    /// <summary>Samples for the random-input mode: K per class (the sampler and methods read labels only).</summary>
    private static List<ReIdSample> SyntheticSamples(int classes, int perClass) =>
        [.. Enumerable.Range(0, classes * perClass).Select(i => new ReIdSample($"random-{i}", i / perClass, i % 4, DatasetSplit.Train, Label: i / perClass))];

    /// <summary>A synthetic Market-1501 training split of <paramref name="classes"/> identities, K images each at least.</summary>
    private static IReadOnlyList<ReIdSample> LoaderSamples(string root, int classes, TrainingOptions o)
    {
        string dir = Path.Combine(root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
        {
            Format = "market1501", Identities = 2 * classes, Seed = 7, Cameras = 4,
            ImagesPerIdentityPerCamera = (Math.Max(1, o.ImagesPerIdentity / 2), Math.Max(1, o.ImagesPerIdentity / 2)),
        }, dir);
        return DatasetFormats.Load("market1501", dir).Train;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
}
