using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>One outfit: what changes when a person changes clothes.</summary>
internal sealed record PersonOutfit(
    SKColor Upper, int UpperPattern, SKColor PatternColor, bool LongSleeves,
    int LowerType, SKColor Lower, bool Jacket, SKColor JacketColor);

/// <summary>The stable, learnable attributes of one synthetic person. Body, hair, shoes and bag stay fixed across outfits.</summary>
internal sealed record PersonAppearance(
    float BodyWidth, float BodyHeight, float HeadSize, SKColor Skin, SKColor Hair, bool LongHair, bool Hat, SKColor HatColor,
    int Bag, SKColor BagColor, bool BagOnLeft, SKColor Shoes, PersonOutfit[] Outfits)
{
    public const int PatternPlain = 0, PatternStripes = 1, PatternChecks = 2, PatternLogo = 3;
    public const int LowerTrousers = 0, LowerShorts = 1, LowerSkirt = 2;
    public const int BagNone = 0, BagBackpack = 1, BagShoulder = 2;

    public static PersonAppearance Create(int seed, long identity, int outfits)
    {
        var rng = new SynthRandom(seed, identity, 0x5045_5253);
        var clothes = new PersonOutfit[outfits];
        for (int i = 0; i < outfits; i++)
        {
            int pattern = rng.Next(10) switch { < 5 => PatternPlain, < 7 => PatternStripes, < 8 => PatternChecks, _ => PatternLogo };
            int lower = rng.Next(10) switch { < 7 => LowerTrousers, < 9 => LowerShorts, _ => LowerSkirt };
            clothes[i] = new PersonOutfit(
                SynthPalette.Pick(SynthPalette.Clothing, ref rng), pattern, SynthPalette.Pick(SynthPalette.Clothing, ref rng), rng.Chance(0.6),
                lower, SynthPalette.Pick(SynthPalette.Clothing, ref rng), rng.Chance(0.2), SynthPalette.Pick(SynthPalette.Clothing, ref rng));
        }
        int bag = rng.Next(10) switch { < 4 => BagNone, < 7 => BagBackpack, _ => BagShoulder };
        return new PersonAppearance(
            rng.Range(0.8f, 1.2f), rng.Range(0.9f, 1.05f), rng.Range(0.85f, 1.15f),
            SynthPalette.Pick(SynthPalette.Skin, ref rng), SynthPalette.Pick(SynthPalette.Hair, ref rng), rng.Chance(0.35),
            rng.Chance(0.2), SynthPalette.Pick(SynthPalette.Clothing, ref rng),
            bag, SynthPalette.Pick(SynthPalette.Clothing, ref rng), rng.Chance(0.5), SynthPalette.Pick(SynthPalette.Clothing, ref rng), clothes);
    }
}
