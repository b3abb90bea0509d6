namespace ReId.MLNet.Ranking;

/// <summary>How <see cref="GalleryIndex"/> keeps gallery rows in memory.</summary>
public enum GalleryStorage
{
    /// <summary>4 bytes a value; exact.</summary>
    Float32,

    /// <summary>2 bytes a value (IEEE half); scores differ from float32 by about 1e-3 of a unit vector's.</summary>
    Float16,

    /// <summary>1 byte a value plus one float scale a row (symmetric per-row quantisation); approximate.</summary>
    Int8,
}
