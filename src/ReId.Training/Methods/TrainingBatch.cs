using ReId.Training.Augmentation;
using static TorchSharp.torch;

namespace ReId.Training.Methods;

/// <summary>
/// One training batch as a method's loss sees it: augmented images and, per image, its label, camera index and, when the
/// data has them, clothes and view ids. Tensors are on the training device and owned by the step's dispose scope.
/// </summary>
/// <param name="Images">[B, 3, H, W] normalised float images.</param>
/// <param name="Labels">[B] int64 training labels.</param>
/// <param name="Cameras">[B] int64 indices into <see cref="MethodContext.CameraIds"/>.</param>
/// <param name="Clothes">[B] int64 clothes ids, or null when the dataset has none.</param>
/// <param name="SampleIndices">Each image's position in <see cref="MethodContext.TrainSamples"/>.</param>
/// <param name="Normalization">The normalisation applied to <paramref name="Images"/> (to derive other views, e.g. a grey copy).</param>
public sealed record TrainingBatch(Tensor Images, Tensor Labels, Tensor Cameras, Tensor? Clothes, int[] SampleIndices, Normalization Normalization)
{
    /// <summary>Number of images.</summary>
    public int Count => SampleIndices.Length;
}
