namespace ReId.MLNet.Tests.Pipelines;

internal sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
}
