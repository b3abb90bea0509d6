using static TorchSharp.torch;

namespace ReId.Training.Models;

/// <summary>
/// An image model whose embedding also depends on each image's camera and/or view (side-information embeddings such as
/// SIE), so evaluation can pass them; <see cref="Engine.FeatureExtractor.Embed"/> calls it when given camera or view positions.
/// </summary>
public interface ISideInformationModule
{
    /// <summary>Images [B, 3, H, W] with int64 camera and view positions [B] (null when not given) → embeddings [B, D].</summary>
    Tensor forward(Tensor images, Tensor? cameras, Tensor? views);
}
