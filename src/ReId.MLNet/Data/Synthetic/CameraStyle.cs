using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>The nuisance a camera adds to everything it sees: colour cast and exposure, saturation, blur, noise, background and a
/// preferred viewpoint. Drawn once per (seed, camera) so it is consistent within a camera and differs across cameras.</summary>
internal sealed record CameraStyle(
    float GainR, float GainG, float GainB, float Saturation, float Blur, float Noise, SKColor Sky, SKColor Ground,
    int PreferredView, float Scale, int Width, int Height)
{
    public static CameraStyle Create(int seed, int camera, int width, int height, bool varySize)
    {
        var rng = new SynthRandom(seed, camera, 0x4341_4D45);
        float exposure = rng.Range(0.7f, 1.25f);
        float w = varySize ? rng.Range(0.8f, 1.3f) : 1f;
        float h = varySize ? rng.Range(0.75f, 1.2f) : 1f;
        return new CameraStyle(
            exposure * rng.Range(0.78f, 1.22f), exposure * rng.Range(0.85f, 1.15f), exposure * rng.Range(0.72f, 1.28f),
            rng.Range(0.55f, 1.15f), rng.Range(0f, 0.9f), rng.Range(2f, 10f),
            SynthPalette.Pick(SynthPalette.Background, ref rng), SynthPalette.Pick(SynthPalette.Background, ref rng),
            rng.Next(3), rng.Range(0.85f, 1.0f),
            Math.Max(16, (int)MathF.Round(width * w)), Math.Max(16, (int)MathF.Round(height * h)));
    }
}
