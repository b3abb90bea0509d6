using ReId.Training.Losses;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models;

/// <summary>
/// A network the trainer can train: <c>forward</c> gives the inference embedding, <see cref="Loss"/> runs the
/// training forward and the method's objective, <see cref="IOnnxExportable.Export"/> writes the embedding graph.
/// </summary>
public interface IReIdNetwork : IOnnxExportable
{
    /// <summary>Length of the inference embedding.</summary>
    int EmbeddingSize { get; }

    /// <summary>Training forward on a batch and the loss to back-propagate; <paramref name="correct"/> counts right identity predictions.</summary>
    ReIdLossResult Loss(Tensor images, Tensor labels, ReIdLoss criterion, out long correct);
}
