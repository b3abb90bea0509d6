using System.Diagnostics;
using System.Text.Json;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.IO;
using ReId.MLNet.Pipelines;
using ReId.Training.Augmentation;
using ReId.Training.Losses;
using ReId.Training.Models;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Heads;
using ReId.Training.Onnx;
using ReId.Training.Optim;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using ReId.Training.Utils;
using ReId.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Training;

/// <summary>
/// Trains a ReID model with TorchSharp on a dataset's training split: PK batches, augmentation on worker threads,
/// identity (label-smoothed CE) + metric (batch-hard triplet) losses, warm-up then step or cosine decay, evaluation every
/// N epochs, checkpoints with exact resume, and at the end an ONNX model package, an ML.NET .zip and a report.
/// </summary>
public sealed class ReIdTrainer(TrainingOptions options, TextWriter? log = null)
{
    private readonly TrainingProgressReporter _progress = new(log);

    public TrainingOptions Options { get; } = options;

    /// <summary>Optimisation steps taken by this trainer object (all runs).</summary>
    public long StepsTaken { get; private set; }

    /// <summary>For tests of resume: behave as if stopped (Ctrl+C) after this many steps; 0 = never.</summary>
    internal long StopAfterSteps { get; set; }

    /// <summary>Runs (or with <paramref name="resume"/> continues) training into <paramref name="runDirectory"/>.</summary>
    public TrainingResult Train(ReIdDataset dataset, string runDirectory, bool resume = false, CancellationToken cancellationToken = default)
    {
        Validate(dataset);
        Directory.CreateDirectory(runDirectory);
        var o = Options;
        if (o.Threads > 0) set_num_threads(o.Threads);
        TorchRuntime.Seed(o.Seed);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "settings.json"), JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true }));

        var labels = dataset.Train.Select(s => s.Label).ToArray();
        using var model = CreateNetwork(o, dataset.NumTrainIdentities);
        var network = (IReIdNetwork)model;
        if (o.PretrainedWeights is { } pretrained) LoadPretrained(model, pretrained);
        ParameterGroupRule[] rules = o.BackboneLearningRateFactor == 1 ? [] : [new ParameterGroupRule("backbone.", o.BackboneLearningRateFactor)];
        var centers = (model as ReIdModel)?.Center;
        // The centres get their own plain SGD (bag of tricks: lr 0.5, gradient divided by the loss weight); it has no state.
        using var optimizer = OptimizerFactory.Create(model.named_parameters().Where(p => !p.name.StartsWith("center.", StringComparison.Ordinal)), new OptimizerOptions
        {
            Kind = OptimizerOptions.ParseKind(o.Optimizer), LearningRate = o.LearningRate, WeightDecay = o.WeightDecay,
            BiasLearningRateFactor = o.BiasLearningRateFactor, Momentum = o.Momentum,
        }, rules);
        using var centerOptimizer = centers is null ? null : new ScalarSafeSgd(centers.parameters(), o.CenterLearningRate);
        ILearningRateSchedule schedule = o.Scheduler.ToLowerInvariant() switch
        {
            "cosine" => new WarmupCosineScheduler(o.Epochs, o.WarmupEpochs, o.WarmupFactor),
            "multistep" => new WarmupMultiStepScheduler(o.Milestones, o.Gamma, o.WarmupEpochs, o.WarmupFactor),
            var other => throw new ArgumentException($"scheduler '{other}': expected multistep or cosine"),
        };
        var criterion = new ReIdLoss(new ReIdLossOptions
        {
            CrossEntropyWeight = o.CrossEntropyWeight, LabelSmoothing = o.LabelSmoothing, TripletWeight = o.TripletWeight,
            TripletMargin = o.TripletMargin, SoftMarginTriplet = o.SoftMarginTriplet, SupConWeight = o.SupConWeight,
            CenterWeight = o.CenterLossWeight,
        }, centers);
        var sampler = new LimitedBatchSampler(new RandomIdentitySampler(labels, o.IdentitiesPerBatch, o.ImagesPerIdentity, o.Seed), o.MaxBatchesPerEpoch);
        var trainAug = new AugmentationOptions
        {
            Height = o.InputHeight, Width = o.InputWidth, FlipProbability = o.FlipProbability, Padding = o.Padding,
            ErasingProbability = o.RandomErasingProbability, ColorJitterProbability = o.ColorJitterProbability,
            GrayscaleProbability = o.GrayscaleProbability, Normalization = o.Normalization,
        };
        var evalAug = new AugmentationOptions { Height = o.InputHeight, Width = o.InputWidth, Normalization = o.Normalization };
        var norm = Normalization.FromName(o.Normalization);
        var loader = new BatchLoader(dataset.Train, sampler, AugmentationPipeline.ForTraining(trainAug),
            new BatchLoaderOptions { Workers = o.Workers, Prefetch = o.Prefetch, Seed = o.Seed });
        var store = new CheckpointStore(runDirectory);
        bool canEvaluate = dataset.Query.Count > 0 && dataset.Gallery.Count > 0;

        int startEpoch = 1, startBatch = 0;
        bool resumedPromptsLearned = false;
        double bestMap = double.NaN;
        int bestEpoch = 0;
        MetricsLog metrics;
        ReIdMetrics? initial = null;
        if (resume && store.Latest() is { } latest)
        {
            var state = store.Load(latest, model, optimizer.Optimizer);
            resumedPromptsLearned = state.PromptsLearned;
            (startEpoch, startBatch) = state.EpochComplete ? (state.Epoch + 1, 0) : (state.Epoch, state.NextBatch);
            (bestMap, bestEpoch) = (state.BestMap, state.BestEpoch);
            metrics = MetricsLog.Load(runDirectory);
            _progress.Line($"resuming from checkpoint '{latest}': epoch {startEpoch}, batch {startBatch}");
        }
        else
        {
            if (resume) _progress.Line($"nothing to resume in '{runDirectory}'; starting from scratch");
            metrics = new MetricsLog();
            if (canEvaluate)
            {
                initial = EvaluateModel(model, dataset, evalAug);
                metrics.Add(new EpochMetrics { Epoch = 0, MAP = initial.MeanAveragePrecision, Rank1 = initial.Rank1, Rank5 = initial.Rank5, MINP = initial.MeanInverseNegativePenalty });
                _progress.Line($"epoch 0 (untrained): {initial}");
            }
            store.Save(CheckpointStore.EpochName(0), model, optimizer.Optimizer, new CheckpointState { Epoch = 0, Seed = o.Seed, Recipe = o.Recipe, NumClasses = dataset.NumTrainIdentities });
            metrics.Save(runDirectory);
        }
        // Past this point a CLIP-ReID network's prompts are final; every later checkpoint says so.
        bool learnsPrompts = model is ClipReIdModel;
        if (model is ClipReIdModel clip) PreparePrompts(clip, dataset, store, optimizer, resumedPromptsLearned, cancellationToken);

        var clock = Stopwatch.StartNew();
        long imagesSeen = 0;
        for (int epoch = startEpoch; epoch <= o.Epochs; epoch++)
        {
            optimizer.ScaleLearningRates(schedule.Factor(epoch - 1));
            int batchCount = sampler.EpochBatches(epoch).Count;
            model.train();
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0, idSum = 0, metricSum = 0, correct = 0;
            int steps = 0, images = 0;
            foreach (var batch in loader.Batches(new SamplerPosition(epoch, startBatch), cancellationToken))
            {
                using (var scope = NewDisposeScope())
                {
                    var x = batch.ImagesTensor();
                    var y = batch.LabelsTensor();
                    using var loss = network.Loss(x, y, criterion, out long hits);
                    optimizer.ZeroGrad();
                    centerOptimizer?.zero_grad();
                    loss.Total.backward();
                    if (o.GradientClipNorm > 0) GradientClipping.ClipByNorm(optimizer.Parameters, o.GradientClipNorm);
                    optimizer.Step();
                    if (centerOptimizer is not null)
                    {
                        using (torch.no_grad()) centers!.Centers.grad!.MulInPlace(1.0 / o.CenterLossWeight);
                        centerOptimizer.step();
                    }
                    lossSum += loss.Total.item<float>();
                    idSum += loss.Terms.GetValueOrDefault("ce");
                    metricSum += loss.Terms.GetValueOrDefault("triplet");
                    correct += hits;
                    images += batch.Count;
                }
                steps++;
                imagesSeen += batch.Count;
                StepsTaken++;
                double rate = imagesSeen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                int done = batch.Next.Epoch == epoch ? batch.Next.Batch : batchCount;
                double left = (batchCount - done + (o.Epochs - epoch) * (double)batchCount) * o.BatchSize / Math.Max(1e-9, rate);
                _progress.Step("train", epoch, o.Epochs, done, batchCount, lossSum / steps, optimizer.LearningRates[0], rate, left);
                if (cancellationToken.IsCancellationRequested || (StopAfterSteps > 0 && StepsTaken >= StopAfterSteps))
                {
                    store.Save("last", model, optimizer.Optimizer, new CheckpointState { PromptsLearned = learnsPrompts, Epoch = epoch, NextBatch = done, EpochComplete = false, Seed = o.Seed, Recipe = o.Recipe, NumClasses = dataset.NumTrainIdentities, BestMap = bestMap, BestEpoch = bestEpoch });
                    _progress.Line($"stopped after batch {done} of epoch {epoch}; checkpoint 'last' written, continue with --resume");
                    throw new OperationCanceledException("training was stopped; checkpoint 'last' holds the position", cancellationToken);
                }
            }
            startBatch = 0;
            var row = new EpochMetrics
            {
                Epoch = epoch, Loss = lossSum / Math.Max(1, steps), IdentityLoss = idSum / Math.Max(1, steps), MetricLoss = metricSum / Math.Max(1, steps),
                Accuracy = correct / Math.Max(1, images), LearningRate = optimizer.LearningRates[0],
                ImagesPerSecond = images / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds), Seconds = epochClock.Elapsed.TotalSeconds,
            };
            bool evaluate = canEvaluate && (epoch % Math.Max(1, o.EvaluateEvery) == 0 || epoch == o.Epochs);
            if (evaluate)
            {
                var m = EvaluateModel(model, dataset, evalAug);
                row = row with { MAP = m.MeanAveragePrecision, Rank1 = m.Rank1, Rank5 = m.Rank5, MINP = m.MeanInverseNegativePenalty };
                _progress.Line($"epoch {epoch}: {m}");
                if (double.IsNaN(bestMap) || m.MeanAveragePrecision > bestMap)
                {
                    (bestMap, bestEpoch) = (m.MeanAveragePrecision, epoch);
                    store.Save("best", model, optimizer.Optimizer, new CheckpointState { PromptsLearned = learnsPrompts, Epoch = epoch, Seed = o.Seed, Recipe = o.Recipe, NumClasses = dataset.NumTrainIdentities, BestMap = bestMap, BestEpoch = bestEpoch });
                }
            }
            metrics.Add(row);
            metrics.Save(runDirectory);
            var complete = new CheckpointState { PromptsLearned = learnsPrompts, Epoch = epoch, Seed = o.Seed, Recipe = o.Recipe, NumClasses = dataset.NumTrainIdentities, BestMap = bestMap, BestEpoch = bestEpoch };
            if (epoch % Math.Max(1, o.CheckpointEvery) == 0 || epoch == o.Epochs) store.Save(CheckpointStore.EpochName(epoch), model, optimizer.Optimizer, complete);
            store.Save("last", model, optimizer.Optimizer, complete);
        }

        return Finish(model, dataset, runDirectory, metrics, initial, norm.Mean, norm.Std, imagesSeen, clock.Elapsed.TotalSeconds);
    }

    private TrainingResult Finish(nn.Module<Tensor, Tensor> model, ReIdDataset dataset, string runDirectory, MetricsLog metrics, ReIdMetrics? initial,
        float[] mean, float[] std, long imagesSeen, double seconds)
    {
        model.eval();
        string packageDir = Path.Combine(runDirectory, "model");
        var network = (IReIdNetwork)model;
        ModelPackageExporter.Write(packageDir, network, Options.InputHeight, Options.InputWidth, network.EmbeddingSize, Options.Backbone, mean, std, resize: "bilinear");
        string zip = Path.Combine(runDirectory, "model.zip");
        ReIdModelZip.Create(packageDir, zip, (int)Options.Seed);
        ReIdMetrics? final = null;
        if (dataset.Query.Count > 0 && dataset.Gallery.Count > 0)
        {
            using var embedder = ReIdModelZip.Open(zip);
            final = ModelEvaluation.Evaluate(embedder, dataset);
            _progress.Line($"final model (.zip through ML.NET): {final}");
        }
        RunReport.Write(runDirectory, Options, metrics, final?.Cmc, final?.MeanAveragePrecision ?? double.NaN, final?.MeanInverseNegativePenalty ?? double.NaN,
            $"{dataset.Format} at '{dataset.Root}': {dataset.Train.Count} training images of {dataset.NumTrainIdentities} identities, {dataset.Query.Count} queries, {dataset.Gallery.Count} gallery images");
        return new TrainingResult
        {
            RunDirectory = runDirectory, ModelPackageDirectory = packageDir, ModelZipPath = zip, FinalMetrics = final, InitialMetrics = initial,
            EpochsTrained = Options.Epochs, TrainingImagesPerSecond = imagesSeen / Math.Max(1e-9, seconds), TrainingSeconds = seconds,
        };
    }

    /// <summary>mAP etc. of the TorchSharp model on the dataset's query/gallery.</summary>
    public ReIdMetrics EvaluateModel(nn.Module<Tensor, Tensor> model, ReIdDataset dataset, AugmentationOptions evalOptions, EvaluationOptions? options = null)
    {
        int dim = ((IReIdNetwork)model).EmbeddingSize;
        float[] Embed(IReadOnlyList<MLNet.Data.ReIdSample> samples) => Options.EvaluateWithOnnxRuntime
            ? FeatureExtractor.EmbedWithOnnxRuntime(model, dim, samples, evalOptions, workers: Options.Workers)
            : FeatureExtractor.Embed(model, samples, evalOptions, workers: Options.Workers);
        var q = Embed(dataset.Query);
        var g = Embed(dataset.Gallery);
        bool clothes = dataset.Query.Any(s => s.Clothes >= 0);
        FeatureSet Set(float[] f, IReadOnlyList<MLNet.Data.ReIdSample> s) => new(f, s.Count, dim, [.. s.Select(x => x.ImagePath)], [.. s.Select(x => x.Identity)],
            [.. s.Select(x => x.Camera)], clothes ? [.. s.Select(x => x.Clothes)] : null);
        return FeatureEvaluation.Evaluate(Set(q, dataset.Query), Set(g, dataset.Gallery), options ?? new EvaluationOptions { Protocol = ModelEvaluation.DefaultProtocol(dataset.Format) });
    }

    /// <summary>The network of the recipe's method: <see cref="ReIdModel"/> for bot, <see cref="ClipReIdModel"/> for clip-reid.</summary>
    public static nn.Module<Tensor, Tensor> CreateNetwork(TrainingOptions o, int classes) => o.Method switch
    {
        "bot" => CreateModel(o, classes),
        "clip-reid" => ClipReIdFactory.Create(o, classes),
        var other => throw new ArgumentException($"method '{other}': expected bot or clip-reid"),
    };

    /// <summary>Stage 1 of CLIP-ReID unless a checkpoint already holds learnt prompts; then fixes the per-identity text features.</summary>
    private void PreparePrompts(ClipReIdModel model, ReIdDataset dataset, CheckpointStore store, ReIdOptimizer optimizer, bool learned, CancellationToken cancellationToken)
    {
        if (!learned)
        {
            new PromptLearningStage(Options, _progress).Run(model, dataset, cancellationToken);
            store.Save("last", model, optimizer.Optimizer, new CheckpointState { PromptsLearned = true, Epoch = 0, Seed = Options.Seed, Recipe = Options.Recipe, NumClasses = dataset.NumTrainIdentities });
        }
        model.FixClassTextFeatures(dataset.NumTrainIdentities);
    }

    /// <summary>The network a recipe describes: CNN backbone → pooling (avg = GeM with p fixed at 1, gem = learnt p) → BNNeck.</summary>
    public static ReIdModel CreateModel(TrainingOptions o, int classes)
    {
        var feature = o.InferenceFeature.ToLowerInvariant() switch
        {
            "after-bn" => NeckFeature.AfterBn,
            "before-bn" => NeckFeature.BeforeBn,
            var f => throw new ArgumentException($"inference-feature '{f}': expected after-bn or before-bn"),
        };
        var (p, learn) = o.Pooling.ToLowerInvariant() switch
        {
            "avg" => (1f, false),
            "gem" => (3f, true),
            var other => throw new ArgumentException($"pooling '{other}': expected avg or gem"),
        };
        return new ReIdModel(ResNet.Create(o.Backbone, o.LastStrideOne), classes, p, learn, feature, withCenters: o.CenterLossWeight > 0);
    }

    private static void LoadPretrained(nn.Module<Tensor, Tensor> model, string path)
    {
        // CLIP-ReID reads its pretrained CLIP file while it builds the network (the architecture comes from it).
        if (model is ClipReIdModel) return;
        var tensors = SafetensorsFile.Read(path).Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try { StateDictIO.Load(model, tensors, path); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private void Validate(ReIdDataset dataset)
    {
        var o = Options;
        if (o.RequirePretrainedWeights && o.PretrainedWeights is null)
            throw new ArgumentException($"recipe '{o.Recipe}' starts from pretrained weights: give them with --set pretrained-weights=FILE.safetensors" +
                (o.Method == "clip-reid" ? " (a CLIP file with both towers) and --set clip-vocabulary-file=bpe_simple_vocab_16e6.txt.gz; clip-reid-small trains from random weights" : ""));
        if (dataset.Train.Count == 0) throw new ArgumentException($"dataset '{dataset.Root}' has no training images");
        int usable = dataset.Train.GroupBy(s => s.Label).Count();
        if (usable < o.IdentitiesPerBatch)
            throw new ArgumentException($"dataset '{dataset.Root}' has {usable} training identities but a batch needs {o.IdentitiesPerBatch} (identities-per-batch); lower it with --set identities-per-batch=N");
        if (o.Epochs < 1) throw new ArgumentException($"epochs is {o.Epochs}; expected at least 1");
        if (o.Scheduler.Equals("cosine", StringComparison.OrdinalIgnoreCase) && o.WarmupEpochs >= o.Epochs)
            throw new ArgumentException($"warmup-epochs ({o.WarmupEpochs}) must be below epochs ({o.Epochs}) for the cosine schedule");
        if (o.InputHeight < 16 || o.InputWidth < 16) throw new ArgumentException($"input size {o.InputHeight}×{o.InputWidth} is too small; expected at least 16×16");
        if (o.CenterLossWeight < 0) throw new ArgumentException($"center-loss-weight is {o.CenterLossWeight}; expected 0 (off) or a positive weight such as 0.0005");
        if (o.CenterLossWeight > 0 && o.Method != "bot") throw new ArgumentException("center-loss-weight: center loss is trained with the bot method only");
        if (o.Method is not ("bot" or "clip-reid")) throw new ArgumentException($"method '{o.Method}': expected bot or clip-reid");
        if (o.Method == "clip-reid" && o.CameraEmbedding)
            throw new ArgumentException("camera-embedding (SIE) is not supported: the exported model and the ML.NET pipeline take images only; set camera-embedding=false");
        if (o.Method == "clip-reid" && o.Stage1Epochs < 1) throw new ArgumentException($"stage1-epochs is {o.Stage1Epochs}; expected at least 1 (prompt learning)");
    }
}
