using ReId.MLNet.Data;
using ReId.Training.Engine;
using ReId.Training.Recipes;
using TorchSharp;

namespace ReId.Training.Methods;

/// <summary>What a method needs to build its network and run: settings, the training data as the trainer sees it, the device.</summary>
public sealed record MethodContext
{
    public required TrainingOptions Options { get; init; }

    /// <summary>Number of training labels (classifier size).</summary>
    public required int Classes { get; init; }

    /// <summary>Training samples with their 0-based labels; <see cref="TrainingBatch.SampleIndices"/> index this list.</summary>
    public IReadOnlyList<ReIdSample> TrainSamples { get; init; } = [];

    /// <summary>Distinct camera ids of the training split, sorted; a batch carries each image's index in this list.</summary>
    public IReadOnlyList<int> CameraIds { get; init; } = [];

    /// <summary>Device the network trains on.</summary>
    public torch.Device Device { get; init; } = torch.CPU;

    /// <summary>Progress lines of stages and hooks.</summary>
    public TrainingProgressReporter Progress { get; init; } = new(null);

    /// <summary>
    /// The architecture a checkpoint recorded (<see cref="MethodSession.Architecture"/>); when set, the method builds that
    /// network without reading pretrained files (its weights come from the checkpoint).
    /// </summary>
    public string? Architecture { get; init; }

    /// <summary>
    /// With intra-camera supervision, the hidden cross-camera truth: it only scores an association (for the metrics), it
    /// never tells which identities are one person. Null with full supervision.
    /// </summary>
    public ReId.MLNet.Data.IntraCamera.IntraCameraTruth? IntraCameraTruth { get; init; }
}
