using ReId.MLNet.Onnx;
using ReId.Training.Augmentation;
using ReId.Training.Models;
using ReId.Training.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ReId.Training.Methods;

/// <summary>
/// One run of a method: the network and everything method-specific the trainer calls into — stages before the main loop,
/// epoch hooks, the loss over a batch, extra optimiser work and the export. Defaults fit a plain single-stage method.
/// </summary>
public abstract class MethodSession(MethodContext context) : IDisposable
{
    /// <summary>Settings, data description and device of the run.</summary>
    public MethodContext Context { get; } = context;

    /// <summary>The network: <c>forward</c> gives the inference embedding; it implements <see cref="IReIdNetwork"/>.</summary>
    public abstract nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The network as the trainer evaluates and exports it.</summary>
    public IReIdNetwork ReIdNetwork => (IReIdNetwork)Network;

    /// <summary>Parameters the main optimiser updates (by default all of the network's; frozen ones are skipped by the optimiser factory).</summary>
    public virtual IEnumerable<(string Name, Parameter Parameter)> OptimizedParameters => Network.named_parameters();

    /// <summary>Name prefixes of the backbone's parameters, whose learning rate <c>backbone-learning-rate-factor</c> scales.</summary>
    public virtual IReadOnlyList<string> BackbonePrefixes => [];

    /// <summary>Stages run before the main loop, in order.</summary>
    public virtual IReadOnlyList<TrainingStage> Stages => [];

    /// <summary>
    /// A description of the built architecture that lets <see cref="ITrainingMethod.CreateSession"/> rebuild the network
    /// without the pretrained files (stored in every checkpoint); null when the settings alone determine it.
    /// </summary>
    public virtual string? Architecture => null;

    /// <summary>Called once the stages have run or a resumed checkpoint showed them done (CLIP-ReID fixes its text features here).</summary>
    public virtual void OnStagesComplete(StageContext context)
    {
    }

    /// <summary>Start of an epoch of the main loop, before its first batch.</summary>
    public virtual void OnEpochStart(EpochContext context)
    {
    }

    /// <summary>End of an epoch, after its last step and before evaluation.</summary>
    public virtual void OnEpochEnd(EpochContext context)
    {
    }

    /// <summary>Training forward on a batch and the method's objective.</summary>
    public abstract StepResult Loss(TrainingBatch batch);

    /// <summary>Called right after the main optimiser zeroed its gradients (extra optimisers zero theirs).</summary>
    public virtual void AfterZeroGrad()
    {
    }

    /// <summary>Called right after the main optimiser stepped (extra optimisers step).</summary>
    public virtual void AfterStep()
    {
    }

    /// <summary>Writes the deployable package (model.onnx + model.json) of the trained network into <paramref name="directory"/>.</summary>
    public virtual ModelPackage Export(string directory)
    {
        var o = Context.Options;
        var norm = Normalization.FromName(o.Normalization);
        return ModelPackageExporter.Write(directory, ReIdNetwork, o.InputHeight, o.InputWidth, ReIdNetwork.EmbeddingSize, o.Backbone, norm.Mean, norm.Std, resize: "bilinear");
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Network.Dispose();
    }
}
