using System.Diagnostics;
using ReId.MLNet.Data;
using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;
using ReId.MLNet.Pipelines;
using ReId.Training.Augmentation;
using ReId.Training.Losses;
using ReId.Training.Methods;
using ReId.Training.Models;
using ReId.Training.Optim;
using ReId.Training.Recipes;
using ReId.Training.Sampling;
using ReId.Training.Utils;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Engine;

/// <summary>
/// Trains a registered method (<see cref="TrainingMethods"/>) with TorchSharp on a dataset's training split: the method's
/// stages, then the main loop of PK batches augmented on worker threads, warm-up then step or cosine decay, evaluation every
/// N epochs, checkpoints with exact resume, and at the end an ONNX model package, an ML.NET .zip and a report. Everything
/// method-specific (network, stages, hooks, loss, export) is the method's <see cref="MethodSession"/>.
/// </summary>
public sealed class ReIdTrainer(TrainingOptions options, TextWriter? log = null)
{
    private readonly TrainingProgressReporter _progress = new(log);

    public TrainingOptions Options { get; } = options;

    /// <summary>Optimisation steps taken by this trainer object (all runs).</summary>
    public long StepsTaken { get; private set; }

    /// <summary>For tests of resume: behave as if stopped (Ctrl+C) after this many steps; 0 = never.</summary>
    internal long StopAfterSteps { get; set; }

    /// <summary>For tests of the non-finite-loss stop: sees each step's loss (epoch, batch, loss) and may replace it.</summary>
    internal Func<int, int, ReIdLossResult, ReIdLossResult>? LossHook { get; set; }

    /// <summary>Runs (or with <paramref name="resume"/> continues) training into <paramref name="runDirectory"/>.</summary>
    public TrainingResult Train(ReIdDataset dataset, string runDirectory, bool resume = false, CancellationToken cancellationToken = default)
    {
        var o = Options;
        // Intra-camera supervision: from here on the trainer and the method see only per-camera identities.
        var truth = ApplySupervision(ref dataset);
        var method = TrainingMethods.Get(o.Method);
        o.Section ??= method.CreateSection();
        Validate(method, dataset);
        var device = TorchRuntime.ParseDevice(o.Device);
        Directory.CreateDirectory(runDirectory);
        if (o.Threads > 0) set_num_threads(o.Threads);
        TorchRuntime.Seed(o.Seed);
        TrainingOptionsFile.Write(Path.Combine(runDirectory, "settings.json"), o);

        var store = new CheckpointStore(runDirectory);
        string? latest = resume ? store.Latest() : null;
        var resumed = latest is null ? null : store.ReadState(latest);
        var cameraIds = dataset.Train.Select(s => s.Camera).Distinct().Order().ToArray();
        using var session = method.CreateSession(new MethodContext
        {
            Options = o, Classes = dataset.NumTrainIdentities, TrainSamples = dataset.Train, CameraIds = cameraIds,
            Device = device, Progress = _progress, Architecture = resumed?.Architecture, IntraCameraTruth = truth,
        });
        var model = session.Network;
        var labels = dataset.Train.Select(s => s.Label).ToArray();
        ParameterGroupRule[] rules = o.BackboneLearningRateFactor == 1 ? [] : [.. session.BackbonePrefixes.Select(p => new ParameterGroupRule(p, o.BackboneLearningRateFactor))];
        using var optimizer = OptimizerFactory.Create(session.OptimizedParameters, new OptimizerOptions
        {
            Kind = OptimizerOptions.ParseKind(o.Optimizer), LearningRate = o.LearningRate, WeightDecay = o.WeightDecay,
            BiasLearningRateFactor = o.BiasLearningRateFactor, Momentum = o.Momentum,
        }, rules);
        ILearningRateSchedule schedule = o.Scheduler.ToLowerInvariant() switch
        {
            "cosine" => new WarmupCosineScheduler(o.Epochs, o.WarmupEpochs, o.WarmupFactor),
            "multistep" => new WarmupMultiStepScheduler(o.Milestones, o.Gamma, o.WarmupEpochs, o.WarmupFactor),
            var other => throw new ArgumentException($"scheduler '{other}': expected multistep or cosine"),
        };
        var sampler = new LimitedBatchSampler(new RandomIdentitySampler(labels, o.IdentitiesPerBatch, o.ImagesPerIdentity, o.Seed), o.MaxBatchesPerEpoch);
        var trainAug = new AugmentationOptions
        {
            Height = o.InputHeight, Width = o.InputWidth, FlipProbability = o.FlipProbability, Padding = o.Padding,
            ErasingProbability = o.RandomErasingProbability, ColorJitterProbability = o.ColorJitterProbability,
            GrayscaleProbability = o.GrayscaleProbability, Normalization = o.Normalization,
        };
        var evalAug = EvaluationPreprocessing(o);
        var norm = Normalization.FromName(o.Normalization);
        var loader = new BatchLoader(dataset.Train, sampler, AugmentationPipeline.ForTraining(trainAug),
            new BatchLoaderOptions { Workers = o.Workers, Prefetch = o.Prefetch, Seed = o.Seed });
        bool canEvaluate = dataset.Query.Count > 0 && dataset.Gallery.Count > 0;
        bool hasClothes = dataset.Train.Any(s => s.Clothes >= 0);
        var cameraIndex = cameraIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (long)p.i);

        int startEpoch = 1, startBatch = 0;
        var stagesDone = new List<string>();
        double bestMap = double.NaN;
        int bestEpoch = 0;
        MetricsLog metrics;
        ReIdMetrics? initial = null;
        bool WantsSnapshot(int epoch) => epoch % Math.Max(1, o.CheckpointEvery) == 0 || epoch == o.Epochs;
        CheckpointState State(int epoch, int nextBatch = 0, bool complete = true) => new()
        {
            Epoch = epoch, NextBatch = nextBatch, EpochComplete = complete, Seed = o.Seed, Recipe = o.Recipe, Method = o.Method,
            NumClasses = dataset.NumTrainIdentities, BestMap = bestMap, BestEpoch = bestEpoch, CompletedStages = [.. stagesDone],
            Architecture = session.Architecture, CameraIds = cameraIds,
            PromptsLearned = session.Stages.Count > 0 && session.Stages.All(st => stagesDone.Contains(st.Name)),
        };
        if (latest is not null)
        {
            var state = store.Load(latest, model, optimizer.Optimizer);
            stagesDone.AddRange(state.StagesDone);
            (startEpoch, startBatch) = state.EpochComplete ? (state.Epoch + 1, 0) : (state.Epoch, state.NextBatch);
            (bestMap, bestEpoch) = (state.BestMap, state.BestEpoch);
            metrics = MetricsLog.Load(runDirectory);
            _progress.Line($"resuming from checkpoint '{latest}': epoch {startEpoch}, batch {startBatch}");
            if (state.EpochComplete && state.Epoch > 0 && WantsSnapshot(state.Epoch) && !store.List().Contains(CheckpointStore.EpochName(state.Epoch)))
                store.Save(CheckpointStore.EpochName(state.Epoch), model, null, State(state.Epoch));
            if (state.WeightsOnly && state.Epoch > 0)
                _progress.Line($"checkpoint '{latest}' holds weights only: the optimiser restarts, so the run will not match an uninterrupted one exactly");
        }
        else
        {
            if (resume) _progress.Line($"nothing to resume in '{runDirectory}'; starting from scratch");
            metrics = new MetricsLog();
            if (canEvaluate)
            {
                var cc = new SortedDictionary<string, double>(StringComparer.Ordinal);
                initial = Evaluate(session, dataset, evalAug, cc);
                metrics.Add(new EpochMetrics { Epoch = 0, MAP = initial.MeanAveragePrecision, Rank1 = initial.Rank1, Rank5 = initial.Rank5, MINP = initial.MeanInverseNegativePenalty, Extra = cc.Count == 0 ? null : cc });
                _progress.Line($"epoch 0 (untrained): {initial}{CcOnlyNote(cc)}");
            }
            store.Save(CheckpointStore.EpochName(0), model, null, State(0));
            metrics.Save(runDirectory);
        }

        var stageContext = new StageContext(dataset, cancellationToken);
        foreach (var stage in session.Stages.Where(s => !stagesDone.Contains(s.Name)))
        {
            stage.Run(stageContext);
            stagesDone.Add(stage.Name);
            store.Save("last", model, optimizer.Optimizer, State(0));
        }
        session.OnStagesComplete(stageContext);

        var clock = Stopwatch.StartNew();
        long imagesSeen = 0;
        for (int epoch = startEpoch; epoch <= o.Epochs; epoch++)
        {
            optimizer.ScaleLearningRates(schedule.Factor(epoch - 1));
            int batchCount = sampler.EpochBatches(epoch).Count;
            var epochContext = new EpochContext(epoch, startBatch > 0, dataset, cancellationToken);
            session.OnEpochStart(epochContext);
            model.train();
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0, idSum = 0, metricSum = 0, correct = 0;
            int steps = 0, images = 0;
            foreach (var batch in loader.Batches(new SamplerPosition(epoch, startBatch), cancellationToken))
            {
                using (var scope = NewDisposeScope())
                {
                    var record = ToRecord(batch, dataset.Train, cameraIndex, hasClothes, norm, device, o.ChannelsLast);
                    using var step = session.Loss(record);
                    int number = batch.Next.Epoch == epoch ? batch.Next.Batch : batchCount;
                    var loss = LossHook?.Invoke(epoch, number, step.Loss) ?? step.Loss;
                    // Checked before backward: a NaN/∞ step would poison the weights and every checkpoint after it.
                    float total = loss.Total.item<float>();
                    if (!float.IsFinite(total)) throw new NonFiniteLossException(o.Method, epoch, number, batchCount, total, loss.Terms);
                    optimizer.ZeroGrad();
                    session.AfterZeroGrad();
                    loss.Total.backward();
                    // The joint norm (clipped when asked): a finite loss can still back-propagate NaN/inf, which the step would write into the weights.
                    double gradientNorm = GradientClipping.ClipByNorm(optimizer.Parameters, o.GradientClipNorm);
                    if (!double.IsFinite(gradientNorm))
                        throw new NonFiniteLossException(o.Method, epoch, number, batchCount, total, loss.Terms, gradientNorm, NonFiniteGradients(model));
                    optimizer.Step();
                    session.AfterStep();
                    lossSum += total;
                    idSum += loss.Terms.GetValueOrDefault("ce");
                    metricSum += loss.Terms.GetValueOrDefault("triplet");
                    correct += step.Correct;
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
                    store.Save("last", model, optimizer.Optimizer, State(epoch, done, complete: false));
                    _progress.Line($"stopped after batch {done} of epoch {epoch}; checkpoint 'last' written, continue with --resume");
                    throw new OperationCanceledException("training was stopped; checkpoint 'last' holds the position", cancellationToken);
                }
            }
            startBatch = 0;
            session.OnEpochEnd(epochContext);
            var row = new EpochMetrics
            {
                Epoch = epoch, Loss = lossSum / Math.Max(1, steps), IdentityLoss = idSum / Math.Max(1, steps), MetricLoss = metricSum / Math.Max(1, steps),
                Accuracy = correct / Math.Max(1, images), LearningRate = optimizer.LearningRates[0],
                ImagesPerSecond = images / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds), Seconds = epochClock.Elapsed.TotalSeconds,
                Extra = epochContext.Metrics.Count == 0 ? null : new SortedDictionary<string, double>(epochContext.Metrics, StringComparer.Ordinal),
            };
            bool evaluate = canEvaluate && (epoch % Math.Max(1, o.EvaluateEvery) == 0 || epoch == o.Epochs);
            if (evaluate)
            {
                var extra = row.Extra ?? new SortedDictionary<string, double>(StringComparer.Ordinal);
                var m = Evaluate(session, dataset, evalAug, extra);
                row = row with { MAP = m.MeanAveragePrecision, Rank1 = m.Rank1, Rank5 = m.Rank5, MINP = m.MeanInverseNegativePenalty, Extra = extra.Count == 0 ? null : extra };
                _progress.Line($"epoch {epoch}: {m}{CcOnlyNote(extra)}");
                if (double.IsNaN(bestMap) || m.MeanAveragePrecision > bestMap)
                {
                    (bestMap, bestEpoch) = (m.MeanAveragePrecision, epoch);
                    store.Save("best", model, null, State(epoch));
                }
            }
            metrics.Add(row);
            metrics.Save(runDirectory);
            // "last" (the resume point) before the weights-only snapshot: a kill between the two leaves an exact resume point,
            // and the resume writes the missing snapshot.
            store.Save("last", model, optimizer.Optimizer, State(epoch));
            if (WantsSnapshot(epoch)) store.Save(CheckpointStore.EpochName(epoch), model, null, State(epoch));
        }

        return Finish(session, dataset, runDirectory, metrics, initial, imagesSeen, clock.Elapsed.TotalSeconds);
    }

    private TrainingResult Finish(MethodSession session, ReIdDataset dataset, string runDirectory, MetricsLog metrics, ReIdMetrics? initial,
        long imagesSeen, double seconds)
    {
        var model = session.Network;
        model.eval();
        string packageDir = Path.Combine(runDirectory, "model");
        using (OnCpu(model)) session.Export(packageDir);
        string zip = Path.Combine(runDirectory, "model.zip");
        ReIdModelZip.Create(packageDir, zip, (int)Options.Seed);
        ReIdMetrics? final = null;
        IReadOnlyDictionary<string, ReIdMetrics> protocols = new Dictionary<string, ReIdMetrics>();
        if (dataset.Query.Count > 0 && dataset.Gallery.Count > 0)
        {
            using var embedder = ReIdModelZip.Open(zip);
            // One embedding pass serves the default protocol and, with clothes ids, both clothes-changing protocols.
            var q = ModelEvaluation.Embed(embedder, dataset.Query);
            var g = ModelEvaluation.Embed(embedder, dataset.Gallery);
            final = FeatureEvaluation.Evaluate(q, g, new EvaluationOptions { Protocol = ModelEvaluation.DefaultProtocol(dataset.Format) });
            protocols = ClothesChangingEvaluation.Evaluate(q, g);
            _progress.Line($"final model (.zip through ML.NET): {final}");
            foreach (var (name, m) in protocols) _progress.Line($"final model under {name}: {m}");
        }
        RunReport.Write(runDirectory, Options, metrics, final?.Cmc, final?.MeanAveragePrecision ?? double.NaN, final?.MeanInverseNegativePenalty ?? double.NaN,
            $"{dataset.Format} at '{dataset.Root}': {dataset.Train.Count} training images of {dataset.NumTrainIdentities} identities, {dataset.Query.Count} queries, {dataset.Gallery.Count} gallery images",
            protocols);
        return new TrainingResult
        {
            RunDirectory = runDirectory, ModelPackageDirectory = packageDir, ModelZipPath = zip, FinalMetrics = final, InitialMetrics = initial, FinalProtocolMetrics = protocols,
            InitialFigures = metrics.Rows.FirstOrDefault(r => r.Epoch == 0 && r.Stage == "train")?.Extra ?? new SortedDictionary<string, double>(),
            EpochsTrained = Options.Epochs, TrainingImagesPerSecond = imagesSeen / Math.Max(1e-9, seconds), TrainingSeconds = seconds,
        };
    }

    private static string CcOnlyNote(IDictionary<string, double> figures) =>
        figures.TryGetValue("cc-only-map", out double map) ? $"; cc-only mAP {map:P2}, rank-1 {figures["cc-only-rank1"]:P2}" : "";

    /// <summary>The batch record a method's loss sees, on the training device.</summary>
    /// <summary>Names of the parameters whose gradient holds NaN or ∞, in module order (for the non-finite step's message).</summary>
    private static List<string> NonFiniteGradients(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return [.. model.named_parameters().Where(p => p.parameter.grad is { } g && !isfinite(g).all().item<bool>()).Select(p => p.name)];
    }

    internal static TrainingBatch ToRecord(LoadedBatch batch, IReadOnlyList<ReIdSample> train, Dictionary<int, long> cameraIndex, bool hasClothes, Normalization norm, Device device,
        bool channelsLast)
    {
        var cameras = tensor(batch.Cameras.Select(c => cameraIndex.GetValueOrDefault(c)).ToArray(), device: device);
        var clothes = hasClothes ? tensor(batch.Indices.Select(i => (long)train[i].Clothes).ToArray(), device: device) : null;
        var images = batch.ImagesTensor(device);
        // The record lives in the step's dispose scope, which frees the NCHW copy with everything else.
        if (channelsLast) images = ChannelsLast.From(images);
        return new TrainingBatch(images, batch.LabelsTensor(device), cameras, clothes, batch.Indices, norm);
    }

    private ReIdMetrics Evaluate(MethodSession session, ReIdDataset dataset, AugmentationOptions evalAug, IDictionary<string, double>? clothesChanging = null)
    {
        using (OnCpu(session.Network)) return EvaluateModel(session.Network, dataset, evalAug, Options, session.Context.CameraIds, clothesChanging: clothesChanging);
    }

    /// <summary>The preprocessing of evaluation: resize and the run's normalisation.</summary>
    internal static AugmentationOptions EvaluationPreprocessing(TrainingOptions o) =>
        new() { Height = o.InputHeight, Width = o.InputWidth, Normalization = o.Normalization };

    /// <summary>mAP etc. of a network on the dataset's query/gallery (through ONNX Runtime or TorchSharp as the settings say).</summary>
    /// <param name="cameraIds">Training camera ids: a network with camera embeddings gets each image's position among them.</param>
    /// <param name="clothesChanging">When given and the data has clothes ids, receives cc-standard and cc-only mAP and rank-1 from the same features.</param>
    internal static ReIdMetrics EvaluateModel(nn.Module<Tensor, Tensor> model, ReIdDataset dataset, AugmentationOptions evalOptions, TrainingOptions o,
        IReadOnlyList<int>? cameraIds, EvaluationOptions? options = null, IDictionary<string, double>? clothesChanging = null)
    {
        int dim = ((IReIdNetwork)model).EmbeddingSize;
        var positions = cameraIds is { Count: > 0 } && model is ISideInformationModule ? new SortedIdIndex(cameraIds) : null;
        Func<ReIdSample, long>? cameraIndex = positions is null ? null : s => positions.IndexOf(s.Camera);
        float[] Embed(IReadOnlyList<ReIdSample> samples) => o.EvaluateWithOnnxRuntime
            ? FeatureExtractor.EmbedWithOnnxRuntime(model, dim, samples, evalOptions, workers: o.Workers, cameraIndex: cameraIndex)
            : FeatureExtractor.Embed(model, samples, evalOptions, workers: o.Workers, cameraIndex: cameraIndex);
        var q = FeatureSet.FromSamples(Embed(dataset.Query), dim, dataset.Query);
        var g = FeatureSet.FromSamples(Embed(dataset.Gallery), dim, dataset.Gallery);
        if (clothesChanging is not null) ClothesChangingEvaluation.AddFigures(ClothesChangingEvaluation.Evaluate(q, g), clothesChanging);
        return FeatureEvaluation.Evaluate(q, g, options ?? new EvaluationOptions { Protocol = ModelEvaluation.DefaultProtocol(dataset.Format) });
    }

    /// <summary>The network of a settings object (see <see cref="TrainingMethods.CreateNetwork"/>).</summary>
    internal static nn.Module<Tensor, Tensor> CreateNetwork(TrainingOptions o, int classes) => TrainingMethods.CreateNetwork(o, classes);

    /// <summary>
    /// Evaluation and export run on the CPU (ONNX export reads the weights, ONNX Runtime evaluates on the CPU here): a network
    /// on another device visits the CPU for the duration and goes back after.
    /// </summary>
    private static IDisposable OnCpu(nn.Module model)
    {
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        if (device.type == DeviceType.CPU) return NoOp.Instance;
        model.to(CPU);
        return new Restore(() => model.to(device));
    }

    private sealed class NoOp : IDisposable
    {
        public static readonly NoOp Instance = new();
        public void Dispose() { }
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private MLNet.Data.IntraCamera.IntraCameraTruth? ApplySupervision(ref ReIdDataset dataset)
    {
        switch (Options.Supervision.ToLowerInvariant())
        {
            case "full":
                return null;
            case MLNet.Data.IntraCamera.IntraCameraSupervision.Name:
                var ics = MLNet.Data.IntraCamera.IntraCameraSupervision.Apply(dataset);
                _progress.Line($"intra-camera supervision: {ics.Identities.Count} intra-camera identities from {dataset.NumTrainIdentities} persons in {ics.Identities.Select(i => i.Camera).Distinct().Count()} cameras");
                dataset = ics.Dataset;
                return ics.Truth;
            default:
                throw new ArgumentException($"supervision '{Options.Supervision}': expected full or {MLNet.Data.IntraCamera.IntraCameraSupervision.Name}");
        }
    }

    private void Validate(ITrainingMethod method, ReIdDataset dataset)
    {
        var o = Options;
        method.Validate(o, dataset);
        o.Section?.Validate();
        if (dataset.Train.Count == 0) throw new ArgumentException($"dataset '{dataset.Root}' has no training images");
        int usable = dataset.Train.GroupBy(s => s.Label).Count();
        if (usable < o.IdentitiesPerBatch)
            throw new ArgumentException($"dataset '{dataset.Root}' has {usable} training identities but a batch needs {o.IdentitiesPerBatch} (identities-per-batch); lower it with --set identities-per-batch=N");
        if (o.Epochs < 1) throw new ArgumentException($"epochs is {o.Epochs}; expected at least 1");
        if (o.Scheduler.Equals("cosine", StringComparison.OrdinalIgnoreCase) && o.WarmupEpochs >= o.Epochs)
            throw new ArgumentException($"warmup-epochs ({o.WarmupEpochs}) must be below epochs ({o.Epochs}) for the cosine schedule");
        if (o.InputHeight < 16 || o.InputWidth < 16) throw new ArgumentException($"input size {o.InputHeight}×{o.InputWidth} is too small; expected at least 16×16");
    }
}
