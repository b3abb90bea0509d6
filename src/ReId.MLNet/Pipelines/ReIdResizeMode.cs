namespace ReId.MLNet.Pipelines;

/// <summary>How an image is brought to the model's input size (ML.NET's resizing kinds).</summary>
public enum ReIdResizeMode
{
    /// <summary>Stretch to the input size, ignoring the aspect ratio (what torchvision's Resize((h, w)) does).</summary>
    Fill,
    /// <summary>Keep the aspect ratio and pad.</summary>
    IsoPad,
    /// <summary>Keep the aspect ratio and crop the centre.</summary>
    IsoCrop,
}
