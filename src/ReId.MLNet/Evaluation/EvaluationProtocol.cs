namespace ReId.MLNet.Evaluation;

/// <summary>Which gallery items a query may not be matched against.</summary>
public enum EvaluationProtocol
{
    /// <summary>Market-1501/torchreid: gallery items with the query's identity and camera, and junk (-1), are ignored; queries without a valid match are skipped.</summary>
    Market,
    /// <summary>VehicleID: no cameras, nothing is ignored (the query never sits in its own gallery).</summary>
    VehicleId,
    /// <summary>Clothes-changing, standard setting: as Market.</summary>
    ClothesChangingStandard,
    /// <summary>Clothes-changing, clothes-change-only setting: also ignores gallery items of the query's identity in the query's clothes.</summary>
    ClothesChangingOnly,
}
