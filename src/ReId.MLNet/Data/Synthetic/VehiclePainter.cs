using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Draws a vehicle in a 128×128 design frame (front, rear or side view).</summary>
internal static class VehiclePainter
{
    public const float FrameWidth = 128, FrameHeight = 128;
    public const int Front = 0, Rear = 1, Side = 2;

    public static void Draw(SKCanvas canvas, SKPaint paint, VehicleAppearance v, int view)
    {
        paint.IsAntialias = true;
        paint.Style = SKPaintStyle.Fill;
        if (view == Side) DrawSide(canvas, paint, v);
        else DrawEnd(canvas, paint, v, view == Front);
    }

    private static SKColor Glass(VehicleAppearance v) => new((byte)(170 * (1 - v.Tint) + 15), (byte)(190 * (1 - v.Tint) + 18), (byte)(205 * (1 - v.Tint) + 25));

    private static void DrawEnd(SKCanvas canvas, SKPaint paint, VehicleAppearance v, bool front)
    {
        // Height of the body and of the glass by type: sedans are low, buses tall and glassy.
        (float bodyTop, float glassTop, float width) = v.Type switch
        {
            VehicleAppearance.Sedan => (70f, 46f, 100f),
            VehicleAppearance.Suv => (64f, 34f, 104f),
            VehicleAppearance.Van => (66f, 24f, 100f),
            VehicleAppearance.Truck => (62f, 22f, 108f),
            _ => (60f, 12f, 112f),
        };
        float left = 64 - width / 2, right = 64 + width / 2;
        float bottom = 112;
        // Wheels peeking out below.
        Rect(canvas, paint, new SKColor(20, 20, 20), new SKRect(left + 6, bottom - 8, left + 22, bottom + 6), 3);
        Rect(canvas, paint, new SKColor(20, 20, 20), new SKRect(right - 22, bottom - 8, right - 6, bottom + 6), 3);
        // Cabin with glass.
        var cabin = new SKRect(left + 8, glassTop - 4, right - 8, bodyTop + 2);
        Rect(canvas, paint, v.TwoTone ? v.Secondary : v.Body, cabin, 8);
        Rect(canvas, paint, Glass(v), new SKRect(cabin.Left + 4, glassTop, cabin.Right - 4, bodyTop - 2), 4);
        if (v.Type == VehicleAppearance.Bus)
            Rect(canvas, paint, new SKColor(20, 20, 20), new SKRect(cabin.Left + 8, glassTop + 1, cabin.Right - 8, glassTop + 7), 1);
        if (v.RoofRack)
        {
            paint.Color = new SKColor(40, 40, 40);
            canvas.DrawRect(cabin.Left + 2, glassTop - 8, cabin.Width - 4, 2.5f, paint);
        }
        // Body.
        var body = new SKRect(left, bodyTop, right, bottom);
        Rect(canvas, paint, v.Body, body, 6);
        if (v.Stripe == 1) Rect(canvas, paint, v.StripeColor, new SKRect(left, bodyTop + 6, right, bodyTop + 10), 0);
        if (v.Stripe == 2) Rect(canvas, paint, v.StripeColor, new SKRect(60, glassTop - 4, 68, bottom), 0);
        // Lights: white/yellow in front, red behind; the shape is an identity attribute.
        SKColor lamp = front ? v.LightColor : new SKColor(200, 20, 20);
        float ly = bodyTop + 12;
        for (int s = 0; s < 2; s++)
        {
            float lx = s == 0 ? left + 6 : right - 24;
            paint.Color = lamp;
            switch (v.LightStyle)
            {
                case 0: canvas.DrawCircle(lx + 9, ly + 4, 6, paint); break;
                case 1: canvas.DrawRect(lx, ly, 18, 9, paint); break;
                default: canvas.DrawRect(lx - 2, ly + 2, 22, 4, paint); break;
            }
        }
        if (front) Rect(canvas, paint, new SKColor(35, 35, 38), new SKRect(44, ly, 84, ly + 14), 3);
        // Licence-plate-like patch: colour and position are stable per vehicle.
        float px = 64 + v.PlateOffset * (front ? 1 : -1);
        Rect(canvas, paint, v.Plate, new SKRect(px - 13, bottom - 20, px + 13, bottom - 11), 1);
        paint.Color = new SKColor(20, 20, 20);
        for (int i = 0; i < 5; i++) canvas.DrawRect(px - 10 + i * 4.5f, bottom - 18, 2, 5, paint);
    }

    private static void DrawSide(SKCanvas canvas, SKPaint paint, VehicleAppearance v)
    {
        float bottom = 100;
        switch (v.Type)
        {
            case VehicleAppearance.Truck:
                Rect(canvas, paint, v.Cargo, new SKRect(4, 28, 84, bottom - 8), 2);
                Rect(canvas, paint, v.Body, new SKRect(84, 40, 124, bottom - 8), 5);
                Rect(canvas, paint, Glass(v), new SKRect(100, 45, 120, 62), 3);
                break;
            case VehicleAppearance.Bus:
                Rect(canvas, paint, v.Body, new SKRect(2, 26, 126, bottom - 6), 6);
                for (float x = 8; x < 118; x += 18) Rect(canvas, paint, Glass(v), new SKRect(x, 34, x + 14, 56), 2);
                break;
            default:
            {
                (float roof, float cabinL, float cabinR) = v.Type switch
                {
                    VehicleAppearance.Sedan => (46f, 34f, 92f),
                    VehicleAppearance.Suv => (38f, 24f, 104f),
                    _ => (30f, 12f, 112f),
                };
                float beltline = 64;
                using (var path = new SKPath())
                {
                    path.MoveTo(cabinL - 12, beltline);
                    path.LineTo(cabinL, roof);
                    path.LineTo(cabinR - 6, roof);
                    path.LineTo(cabinR + 8, beltline);
                    path.Close();
                    paint.Color = v.TwoTone ? v.Secondary : v.Body;
                    canvas.DrawPath(path, paint);
                }
                Rect(canvas, paint, Glass(v), new SKRect(cabinL + 2, roof + 4, (cabinL + cabinR) / 2 - 2, beltline - 3), 2);
                Rect(canvas, paint, Glass(v), new SKRect((cabinL + cabinR) / 2 + 2, roof + 4, cabinR - 4, beltline - 3), 2);
                Rect(canvas, paint, v.Body, new SKRect(6, beltline - 2, 122, bottom - 8), 7);
                if (v.RoofRack)
                {
                    paint.Color = new SKColor(40, 40, 40);
                    canvas.DrawRect(cabinL + 2, roof - 4, cabinR - cabinL - 8, 2.5f, paint);
                }
                break;
            }
        }
        if (v.Stripe == 1) Rect(canvas, paint, v.StripeColor, new SKRect(6, bottom - 26, 122, bottom - 21), 0);
        if (v.Stripe == 2) Rect(canvas, paint, v.StripeColor, new SKRect(6, bottom - 34, 122, bottom - 31), 0);
        paint.Color = v.DecalColor;
        if (v.Decal == 1) canvas.DrawCircle(64, bottom - 20, 7, paint);
        if (v.Decal == 2) canvas.DrawRect(52, bottom - 28, 24, 10, paint);
        paint.Color = v.LightColor;
        canvas.DrawRect(118, bottom - 34, 5, 6, paint);
        paint.Color = new SKColor(200, 20, 20);
        canvas.DrawRect(5, bottom - 34, 4, 6, paint);
        // Wheels with a stable hub style.
        foreach (float wx in new[] { 28f, 100f })
        {
            paint.Color = new SKColor(20, 20, 20);
            canvas.DrawCircle(wx, bottom - 6, 12, paint);
            paint.Color = v.Hub;
            canvas.DrawCircle(wx, bottom - 6, 6, paint);
        }
    }

    private static void Rect(SKCanvas canvas, SKPaint paint, SKColor color, SKRect rect, float radius)
    {
        paint.Color = color;
        if (radius > 0) canvas.DrawRoundRect(rect, radius, radius, paint);
        else canvas.DrawRect(rect, paint);
    }
}
