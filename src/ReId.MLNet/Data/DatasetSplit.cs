namespace ReId.MLNet.Data;

/// <summary>The part of a ReID dataset an image belongs to.</summary>
public enum DatasetSplit
{
    Train,
    Query,
    Gallery,
}
