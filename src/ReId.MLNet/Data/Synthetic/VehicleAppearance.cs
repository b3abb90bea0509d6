using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>The stable, learnable attributes of one synthetic vehicle.</summary>
internal sealed record VehicleAppearance(
    int Type, SKColor Body, bool TwoTone, SKColor Secondary, int Stripe, SKColor StripeColor, float Tint, SKColor Hub,
    int LightStyle, SKColor LightColor, bool RoofRack, int Decal, SKColor DecalColor, SKColor Plate, float PlateOffset, SKColor Cargo)
{
    public const int Sedan = 0, Suv = 1, Van = 2, Truck = 3, Bus = 4;

    public static VehicleAppearance Create(int seed, long identity)
    {
        var rng = new SynthRandom(seed, identity, 0x5645_4849);
        int type = rng.Next(20) switch { < 8 => Sedan, < 13 => Suv, < 16 => Van, < 18 => Truck, _ => Bus };
        SKColor[] hubs = [new(190, 190, 195), new(30, 30, 30), new(200, 170, 60), new(240, 240, 240)];
        SKColor[] lights = [new(255, 255, 235), new(255, 230, 150), new(210, 230, 255)];
        SKColor[] plates = [new(235, 200, 30), new(30, 70, 180), new(240, 240, 240), new(60, 170, 90)];
        return new VehicleAppearance(
            type, SynthPalette.Pick(SynthPalette.Vehicle, ref rng), rng.Chance(0.2), SynthPalette.Pick(SynthPalette.Vehicle, ref rng),
            rng.Next(10) switch { < 6 => 0, < 8 => 1, _ => 2 }, SynthPalette.Pick(SynthPalette.Clothing, ref rng),
            rng.Range(0.15f, 0.8f), hubs[rng.Next(hubs.Length)], rng.Next(3), lights[rng.Next(lights.Length)], rng.Chance(0.25),
            rng.Next(10) switch { < 6 => 0, < 8 => 1, _ => 2 }, SynthPalette.Pick(SynthPalette.Clothing, ref rng),
            plates[rng.Next(plates.Length)], rng.Range(-8f, 8f), SynthPalette.Pick(SynthPalette.Vehicle, ref rng));
    }
}
