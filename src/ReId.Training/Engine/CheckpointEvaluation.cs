using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Evaluation;
using ReId.Training.Methods;
using ReId.Training.Recipes;

namespace ReId.Training.Engine;

/// <summary>
/// Evaluates any checkpoint of a training run folder (<c>epoch-000</c> = the untrained network, <c>best</c>, <c>last</c> …): the
/// network is rebuilt from the run's settings and the architecture the checkpoint recorded — no pretrained file needed — and
/// run as the run evaluated it (ONNX Runtime or TorchSharp).
/// </summary>
public static class CheckpointEvaluation
{
    /// <summary>CMC, mAP and mINP of checkpoint <paramref name="checkpoint"/> of <paramref name="runDirectory"/> on the dataset's query/gallery.</summary>
    public static ReIdMetrics Evaluate(string runDirectory, string checkpoint, ReIdDataset dataset, EvaluationOptions? options = null)
    {
        string settings = Path.Combine(runDirectory, "settings.json");
        if (!File.Exists(settings)) throw new ArgumentException($"'{runDirectory}' is not a training run folder (no settings.json)");
        var training = TrainingOptionsFile.Read(settings);
        var store = new CheckpointStore(runDirectory);
        if (!store.List().Contains(checkpoint))
            throw new ArgumentException($"run '{runDirectory}' has no checkpoint '{checkpoint}'; it has: {string.Join(", ", store.List())}");
        var state = store.ReadState(checkpoint);
        using var model = TrainingMethods.CreateNetwork(training, state.NumClasses, state.Architecture, state.CameraIds);
        store.Load(checkpoint, model, optimizer: null);
        model.eval();
        return ReIdTrainer.EvaluateModel(model, dataset, ReIdTrainer.EvaluationPreprocessing(training), training, state.CameraIds, options);
    }
}
