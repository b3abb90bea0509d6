namespace ReId.Training.Augmentation;

/// <summary>One augmentation step. Randomness comes only from <paramref name="rng"/>, so a seeded RNG gives a reproducible result.</summary>
public interface IImageTransform
{
    /// <summary>Returns the transformed image (may be the same instance, modified in place).</summary>
    ImageTensor Apply(ImageTensor image, Random rng);
}
