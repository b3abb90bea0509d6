namespace ReId.MLNet.Data.Datasets;

/// <summary>Options of the dataset readers.</summary>
public sealed class DatasetLoadOptions
{
    /// <summary>Check each image's leading bytes (JPEG, PNG, BMP, WEBP); an unreadable file is an error naming it.</summary>
    public bool VerifyImages { get; set; } = true;
    /// <summary>VehicleID test list: 800, 1600 or 2400.</summary>
    public int VehicleIdTestSize { get; set; } = 800;
    /// <summary>VehicleID trial: which seeded random query/gallery split to use.</summary>
    public int VehicleIdTrial { get; set; }
    public int VehicleIdSeed { get; set; } = 0;
    /// <summary>VeRi-Wild test list: 3000, 5000 or 10000.</summary>
    public int VeriWildTestSize { get; set; } = 3000;
    /// <summary>MSMT17: train on list_train + list_val, as torchreid does.</summary>
    public bool Msmt17CombineTrainVal { get; set; } = true;
    /// <summary>PRCC queries: "C" (changed clothes, the standard), "B" (same clothes) or "BC".</summary>
    public string PrccQuery { get; set; } = "C";
}
