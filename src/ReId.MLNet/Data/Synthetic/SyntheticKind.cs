namespace ReId.MLNet.Data.Synthetic;

/// <summary>What the synthetic generator draws.</summary>
public enum SyntheticKind
{
    /// <summary>Pedestrians (clothing, hair, bags, body proportions).</summary>
    Person,

    /// <summary>Vehicles (type, colour, decals, wheels, lights, plate patch).</summary>
    Vehicle,
}
