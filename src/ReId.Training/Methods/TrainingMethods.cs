using ReId.Training.Methods.BagOfTricks;
using ReId.Training.Methods.ClipReId;
using ReId.Training.Methods.ClipSeNet;
using ReId.Training.Methods.Csgn;
using ReId.Training.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Methods;

/// <summary>
/// The registry of training methods: adding a method is one line here. Recipe names, <c>reid train</c>'s help and the
/// ML.NET trainers all read it, so there is no second list.
/// </summary>
public static class TrainingMethods
{
    private static readonly ITrainingMethod[] Registered =
    [
        new BagOfTricksMethod(),
        new ClipReIdMethod(),
        new ClipSeNetMethod(),
        new Ccafl.CcaflMethod(),
        new CsgnMethod(),
    ];

    /// <summary>Every method, in registration order.</summary>
    public static IReadOnlyList<ITrainingMethod> All => Registered;

    /// <summary>Method names in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Registered.Select(m => m.Name)];

    /// <summary>The method called <paramref name="name"/>; an unknown name is an <see cref="ArgumentException"/> listing the known ones.</summary>
    public static ITrainingMethod Get(string name) =>
        Registered.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"method '{name}': expected one of {string.Join(", ", Names)}", nameof(name));

    /// <summary>
    /// The network a settings object describes, for <paramref name="classes"/> training labels (no stage runs; a checkpoint's
    /// weights are loaded by the caller). <paramref name="architecture"/> is what a checkpoint recorded, if anything.
    /// </summary>
    /// <param name="cameraIds">The training cameras (sorted), for networks with camera embeddings.</param>
    public static nn.Module<Tensor, Tensor> CreateNetwork(TrainingOptions options, int classes, string? architecture = null, IReadOnlyList<int>? cameraIds = null)
    {
        // The session's other parts (losses, an extra optimiser) hold no native state worth more than the GC's care.
        return Get(options.Method).CreateSession(new MethodContext { Options = options, Classes = classes, Architecture = architecture, CameraIds = cameraIds ?? [] }).Network;
    }
}
