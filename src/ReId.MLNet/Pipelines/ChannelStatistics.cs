namespace ReId.MLNet.Pipelines;

/// <summary>
/// The per-channel (R, G, B) mean and standard deviation, on the 0..1 scale, that pretrained image models were trained to expect:
/// CLIP's (OpenAI's published preprocessing) and ImageNet's (torchvision's). Read-only spans, so no caller can change them for everyone.
/// </summary>
public static class ChannelStatistics
{
    /// <summary>CLIP's per-channel mean.</summary>
    public static ReadOnlySpan<float> ClipMean => [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>CLIP's per-channel standard deviation.</summary>
    public static ReadOnlySpan<float> ClipStd => [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>ImageNet's per-channel mean.</summary>
    public static ReadOnlySpan<float> ImageNetMean => [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's per-channel standard deviation.</summary>
    public static ReadOnlySpan<float> ImageNetStd => [0.229f, 0.224f, 0.225f];
}
