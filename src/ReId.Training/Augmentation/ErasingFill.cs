namespace ReId.Training.Augmentation;

/// <summary>What random erasing writes into the erased rectangle.</summary>
public enum ErasingFill
{
    /// <summary>A constant per channel (torchreid: the dataset mean, [0.4914, 0.4822, 0.4465]).</summary>
    ChannelMean,
    /// <summary>Independent uniform random values per pixel, drawn from the image's value range.</summary>
    Random,
}
