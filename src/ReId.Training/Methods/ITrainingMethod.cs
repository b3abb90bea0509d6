using ReId.MLNet.Data.Datasets;
using ReId.Training.Recipes;

namespace ReId.Training.Methods;

/// <summary>
/// A training method as a plug-in: its recipes, its typed options section, its checks and, per run, a
/// <see cref="MethodSession"/> holding the network, the stages before the main loop, the epoch hooks, the loss and the export.
/// The trainer owns everything the methods share (loop, checkpoints, evaluation, metrics, report); registering a method is
/// one line in <see cref="TrainingMethods"/>.
/// </summary>
public interface ITrainingMethod
{
    /// <summary>The method's name as <see cref="TrainingOptions.Method"/> holds it ("bot", "clip-reid", …).</summary>
    string Name { get; }

    /// <summary>One sentence: what the method is and where it comes from.</summary>
    string Description { get; }

    /// <summary>Named configurations of this method, in the order <c>reid train --help</c> lists them.</summary>
    IReadOnlyList<TrainingRecipe> Recipes { get; }

    /// <summary>A new options section with its defaults, or null when the method has none.</summary>
    MethodOptions? CreateSection();

    /// <summary>Rejects settings or data the method cannot train on; the message names the key (<c>senet.groups</c>, <c>epochs</c> …).</summary>
    void Validate(TrainingOptions options, ReIdDataset dataset);

    /// <summary>Builds the network (reading pretrained files unless <see cref="MethodContext.Architecture"/> is given) and the run's state.</summary>
    MethodSession CreateSession(MethodContext context);
}
