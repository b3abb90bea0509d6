using System.Runtime.InteropServices;
using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Renders and encodes images of one thread: bitmaps, canvases and paint are reused across images (one pair per size).
/// Every random choice comes from a generator seeded by (seed, subject, camera, index), so output never depends on scheduling.</summary>
internal sealed class SyntheticRenderer : IDisposable
{
    private readonly int _seed;
    private readonly SyntheticKind _kind;
    private readonly SKEncodedImageFormat _format;
    private readonly int _quality;
    private readonly Func<long, PersonAppearance> _persons;
    private readonly Func<long, VehicleAppearance> _vehicles;
    private readonly SKPaint _paint = new() { IsAntialias = true };
    private readonly Dictionary<(int W, int H), Surface> _surfaces = [];

    private sealed class Surface(int width, int height) : IDisposable
    {
        public readonly SKBitmap Scene = new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        public readonly SKBitmap Output = new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        public SKCanvas SceneCanvas => _sceneCanvas ??= new SKCanvas(Scene);
        public SKCanvas OutputCanvas => _outputCanvas ??= new SKCanvas(Output);
        private SKCanvas? _sceneCanvas, _outputCanvas;

        public void Dispose()
        {
            _sceneCanvas?.Dispose();
            _outputCanvas?.Dispose();
            Scene.Dispose();
            Output.Dispose();
        }
    }

    public SyntheticRenderer(int seed, SyntheticKind kind, SKEncodedImageFormat format, int quality,
        Func<long, PersonAppearance> persons, Func<long, VehicleAppearance> vehicles)
    {
        (_seed, _kind, _format, _quality, _persons, _vehicles) = (seed, kind, format, quality, persons, vehicles);
    }

    /// <summary>Draws <paramref name="job"/> as seen by <paramref name="camera"/> and returns the encoded file bytes.</summary>
    public SKData Render(in SyntheticImageJob job, CameraStyle camera)
    {
        var rng = new SynthRandom(_seed, job.Subject, job.Camera, job.Index, 0x494D_4147);
        if (!_surfaces.TryGetValue((job.Width, job.Height), out var surface))
            _surfaces[(job.Width, job.Height)] = surface = new Surface(job.Width, job.Height);
        var canvas = surface.SceneCanvas;
        float w = job.Width, h = job.Height;

        DrawBackground(canvas, camera, ref rng, w, h);
        DrawSubject(canvas, job, camera, ref rng, w, h);
        DrawOccluder(canvas, ref rng, w, h, job.Junk ? 0.6 : 0.25);
        canvas.Flush();

        // Camera colour cast, exposure and saturation as one colour matrix; per-image exposure jitter on top.
        float jitter = rng.Range(0.88f, 1.12f);
        float s = camera.Saturation * rng.Range(0.9f, 1.1f);
        float[] m = new float[20];
        ReadOnlySpan<float> lum = [0.299f, 0.587f, 0.114f];
        ReadOnlySpan<float> gains = [camera.GainR * jitter, camera.GainG * jitter, camera.GainB * jitter];
        for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            m[r * 5 + c] = gains[r] * ((1 - s) * lum[c] + (r == c ? s : 0));
        m[18] = 1;
        var output = surface.OutputCanvas;
        output.Clear(SKColors.Black);
        float blur = camera.Blur + rng.Range(0f, 0.8f);
        using (var colour = SKColorFilter.CreateColorMatrix(m))
        using (var blurFilter = blur > 0.25f ? SKImageFilter.CreateBlur(blur, blur) : null)
        {
            _paint.Reset();
            _paint.ColorFilter = colour;
            _paint.ImageFilter = blurFilter;
            output.DrawBitmap(surface.Scene, 0, 0, _paint);
            output.Flush();
            _paint.ColorFilter = null;
            _paint.ImageFilter = null;
        }
        AddNoise(surface.Output, camera.Noise, ref rng);
        if (_format != SKEncodedImageFormat.Png) return surface.Output.Encode(_format, _quality);
        // Fast zlib level: PNG at the default level costs several times the rendering.
        using var pixmap = surface.Output.PeekPixels();
        return pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.NoFilters, 1));
    }

    private void DrawBackground(SKCanvas canvas, CameraStyle camera, ref SynthRandom rng, float w, float h)
    {
        float horizon = h * rng.Range(0.45f, 0.75f);
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(rng.Range(-w, w), horizon),
                   [SynthPalette.Scale(camera.Sky, rng.Range(0.85f, 1.15f)), SynthPalette.Scale(camera.Sky, rng.Range(0.6f, 1.0f))],
                   SKShaderTileMode.Clamp))
        {
            _paint.Reset();
            _paint.Shader = shader;
            canvas.DrawRect(0, 0, w, h, _paint);
            _paint.Shader = null;
        }
        _paint.Color = SynthPalette.Scale(camera.Ground, rng.Range(0.8f, 1.2f));
        canvas.DrawRect(0, horizon, w, h - horizon, _paint);
        // Clutter in the same colours clothes and cars have, so that a colour histogram of the whole crop is misleading.
        _paint.IsAntialias = true;
        int shapes = rng.Between(2, 7);
        for (int i = 0; i < shapes; i++)
        {
            var color = rng.Chance(0.5) ? SynthPalette.Pick(SynthPalette.Clothing, ref rng) : SynthPalette.Pick(SynthPalette.Background, ref rng);
            _paint.Color = color.WithAlpha((byte)rng.Between(120, 255));
            float x = rng.Range(-0.2f, 1f) * w, y = rng.Range(-0.2f, 1f) * h, sw = rng.Range(0.08f, 0.5f) * w, sh = rng.Range(0.05f, 0.4f) * h;
            if (rng.Chance(0.5)) canvas.DrawRect(x, y, sw, sh, _paint);
            else canvas.DrawOval(x + sw / 2, y + sh / 2, sw / 2, sh / 2, _paint);
        }
    }

    private void DrawSubject(SKCanvas canvas, in SyntheticImageJob job, CameraStyle camera, ref SynthRandom rng, float w, float h)
    {
        bool person = _kind == SyntheticKind.Person;
        float frameW = person ? PersonPainter.FrameWidth : VehiclePainter.FrameWidth;
        float frameH = person ? PersonPainter.FrameHeight : VehiclePainter.FrameHeight;
        int view = rng.Chance(0.55) ? camera.PreferredView : rng.Next(3);
        bool flip = rng.Chance(0.5);
        // Detector-like crops: scale and offset jitter; junk crops are badly placed (mostly background or a body part).
        float scale = camera.Scale * rng.Range(0.85f, 1.08f);
        float dx = rng.Gaussian() * 2.5f, dy = rng.Gaussian() * 3f;
        if (job.Junk)
        {
            scale *= rng.Range(1.4f, 2.2f);
            dx += rng.Range(-0.5f, 0.5f) * frameW;
            dy += rng.Range(-0.6f, 0.6f) * frameH;
        }
        canvas.Save();
        canvas.Scale(w / frameW, h / frameH);
        canvas.Translate(frameW / 2 + dx, frameH / 2 + dy);
        canvas.Scale(flip ? -scale : scale, scale);
        canvas.Translate(-frameW / 2, -frameH / 2);
        _paint.Reset();
        if (person)
        {
            var p = _persons(job.Subject);
            PersonPainter.Draw(canvas, _paint, p, p.Outfits[job.Outfit % p.Outfits.Length], view);
        }
        else VehiclePainter.Draw(canvas, _paint, _vehicles(job.Subject), view);
        canvas.Restore();
    }

    private void DrawOccluder(SKCanvas canvas, ref SynthRandom rng, float w, float h, double probability)
    {
        if (!rng.Chance(probability)) return;
        _paint.Reset();
        _paint.Color = rng.Chance(0.5) ? SynthPalette.Pick(SynthPalette.Background, ref rng) : SynthPalette.Pick(SynthPalette.Clothing, ref rng);
        if (rng.Chance(0.5))
        {
            float pw = rng.Range(0.06f, 0.16f) * w;
            canvas.DrawRect(rng.Range(0f, 1f) * w - pw / 2, 0, pw, h, _paint);
        }
        else
        {
            float bh = rng.Range(0.15f, 0.4f) * h, bw = rng.Range(0.3f, 0.8f) * w;
            canvas.DrawRect(rng.Chance(0.5) ? 0 : w - bw, h - bh, bw, bh, _paint);
        }
    }

    private static void AddNoise(SKBitmap bitmap, float amplitude, ref SynthRandom rng)
    {
        var bytes = bitmap.GetPixelSpan();
        var pixels = MemoryMarshal.Cast<byte, uint>(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length));
        int a = (int)amplitude;
        if (a <= 0) return;
        int span = 2 * a + 1;
        for (int i = 0; i < pixels.Length; i++)
        {
            ulong r = rng.NextULong();
            uint p = pixels[i];
            // Multiply-shift maps 16 random bits onto [0, span) without a division per channel.
            int cr = (int)(p & 0xFF) + (int)(((r & 0xFFFF) * (ulong)span) >> 16) - a;
            int cg = (int)((p >> 8) & 0xFF) + (int)((((r >> 16) & 0xFFFF) * (ulong)span) >> 16) - a;
            int cb = (int)((p >> 16) & 0xFF) + (int)((((r >> 32) & 0xFFFF) * (ulong)span) >> 16) - a;
            pixels[i] = (uint)Math.Clamp(cr, 0, 255) | ((uint)Math.Clamp(cg, 0, 255) << 8) | ((uint)Math.Clamp(cb, 0, 255) << 16) | 0xFF000000u;
        }
    }

    public void Dispose()
    {
        foreach (var s in _surfaces.Values) s.Dispose();
        _paint.Dispose();
    }
}
