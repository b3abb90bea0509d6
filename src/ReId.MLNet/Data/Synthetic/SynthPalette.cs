using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Colours identities are drawn from. Deliberately includes near-identical shades (navy/dark blue, red/crimson, grey/silver …)
/// so that many identities share a colour or differ only subtly, as in real data.</summary>
internal static class SynthPalette
{
    public static readonly SKColor[] Clothing =
    [
        new(200, 30, 35), new(165, 25, 40), new(230, 120, 30), new(235, 205, 40), new(40, 140, 60), new(25, 90, 45),
        new(110, 115, 50), new(40, 80, 190), new(25, 35, 95), new(35, 45, 120), new(120, 170, 225), new(110, 50, 150),
        new(225, 130, 170), new(235, 235, 230), new(215, 215, 205), new(130, 130, 135), new(105, 105, 112), new(30, 30, 32),
        new(45, 42, 40), new(120, 75, 40), new(200, 175, 130), new(60, 150, 150),
    ];

    public static readonly SKColor[] Skin = [new(245, 215, 190), new(225, 185, 150), new(195, 145, 110), new(150, 100, 70), new(100, 65, 45)];

    public static readonly SKColor[] Hair = [new(20, 18, 18), new(60, 40, 25), new(110, 75, 40), new(200, 165, 100), new(150, 60, 30), new(170, 170, 170)];

    public static readonly SKColor[] Vehicle =
    [
        new(240, 240, 238), new(225, 228, 232), new(180, 183, 188), new(160, 162, 166), new(110, 112, 118), new(25, 25, 28),
        new(40, 40, 45), new(190, 25, 30), new(140, 20, 30), new(30, 70, 170), new(25, 35, 90), new(30, 110, 60),
        new(225, 195, 40), new(130, 85, 45), new(220, 110, 30), new(200, 190, 160),
    ];

    public static readonly SKColor[] Background =
    [
        new(120, 125, 120), new(150, 140, 120), new(90, 100, 110), new(170, 170, 160), new(100, 90, 80), new(130, 145, 130),
        new(60, 65, 70), new(185, 180, 170),
    ];

    public static SKColor Pick(SKColor[] palette, ref SynthRandom rng) => palette[rng.Next(palette.Length)];

    public static SKColor Scale(SKColor c, float f) => new(
        (byte)Math.Clamp(c.Red * f, 0, 255), (byte)Math.Clamp(c.Green * f, 0, 255), (byte)Math.Clamp(c.Blue * f, 0, 255), c.Alpha);
}
