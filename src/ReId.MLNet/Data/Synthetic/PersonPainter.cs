using SkiaSharp;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Draws a person in a 64×128 design frame (front, back or side view).</summary>
internal static class PersonPainter
{
    public const float FrameWidth = 64, FrameHeight = 128;
    public const int Front = 0, Back = 1, Side = 2;

    /// <summary>Where the parts of a figure lie in the design frame (centre line, head, shoulder, hip and feet heights, widths).</summary>
    private readonly record struct Figure(float Cx, float HeadR, float HeadY, float Shoulder, float Hip, float Feet, float BodyW, float ArmW);

    /// <summary>Paints the person back to front: what shows behind the body, legs, arms, torso, jacket, bag, head and hat.</summary>
    public static void Draw(SKCanvas canvas, SKPaint paint, PersonAppearance p, PersonOutfit o, int view)
    {
        var f = Measure(p, view);
        paint.Style = SKPaintStyle.Fill;
        paint.IsAntialias = true;
        DrawBehindBody(canvas, paint, p, f, view);
        DrawLegs(canvas, paint, p, o, f, view);
        DrawArms(canvas, paint, p, o, f, view);
        var torso = DrawTorso(canvas, paint, o, f, view);
        DrawJacket(canvas, paint, o, f, torso, view);
        DrawBag(canvas, paint, p, f, view);
        DrawHead(canvas, paint, p, f, view);
        DrawHat(canvas, paint, p, f, view);
    }

    private static Figure Measure(PersonAppearance p, int view)
    {
        const float cx = 32;
        float figure = 116 * p.BodyHeight;
        float top = 124 - figure;
        float headR = 6.5f * p.HeadSize;
        float headY = top + headR;
        float shoulder = top + 2 * headR + 1.5f;
        float hip = shoulder + 0.34f * figure;
        float feet = top + figure;
        float bw = 12.5f * p.BodyWidth * (view == Side ? 0.6f : 1f);
        float armW = 4.5f * p.BodyWidth;
        return new Figure(cx, headR, headY, shoulder, hip, feet, bw, armW);
    }

    /// <summary>A backpack seen from the side and long hair seen from the front hang behind the body.</summary>
    private static void DrawBehindBody(SKCanvas canvas, SKPaint paint, PersonAppearance p, Figure f, int view)
    {
        if (p.Bag == PersonAppearance.BagBackpack && view == Side)
            Fill(canvas, paint, p.BagColor, SKRect.Create(f.Cx + f.BodyW - 1, f.Shoulder + 2, 8, 0.7f * (f.Hip - f.Shoulder)), 2);
        if (p.LongHair && view == Front)
            Fill(canvas, paint, p.Hair, SKRect.Create(f.Cx - f.HeadR - 1, f.HeadY - 2, 2 * f.HeadR + 2, f.HeadR + 12), 2);
    }

    /// <summary>Legs in skin, the lower garment (trousers, shorts or a skirt) over them, and shoes.</summary>
    private static void DrawLegs(SKCanvas canvas, SKPaint paint, PersonAppearance p, PersonOutfit o, Figure f, int view)
    {
        float cx = f.Cx, bw = f.BodyW, hip = f.Hip;
        float legH = f.Feet - 3 - hip;
        float legW = bw * (view == Side ? 1.2f : 0.9f);
        var leftLeg = SKRect.Create(cx - legW - 0.5f, hip, legW, legH);
        var rightLeg = SKRect.Create(cx + 0.5f, hip, legW, legH);
        if (view == Side) { leftLeg.Offset(legW * 0.5f, 0); rightLeg.Offset(-legW * 0.5f, 0); }
        Fill(canvas, paint, p.Skin, leftLeg, 1);
        Fill(canvas, paint, p.Skin, rightLeg, 1);
        switch (o.LowerType)
        {
            case PersonAppearance.LowerTrousers:
                Fill(canvas, paint, o.Lower, leftLeg, 1);
                Fill(canvas, paint, o.Lower, rightLeg, 1);
                break;
            case PersonAppearance.LowerShorts:
                Fill(canvas, paint, o.Lower, SKRect.Create(leftLeg.Left, hip, legW, legH * 0.4f), 1);
                Fill(canvas, paint, o.Lower, SKRect.Create(rightLeg.Left, hip, legW, legH * 0.4f), 1);
                break;
            default:
                DrawSkirt(canvas, paint, o.Lower, cx, bw, hip, legH);
                break;
        }
        Fill(canvas, paint, p.Shoes, SKRect.Create(leftLeg.Left - 1, f.Feet - 4, legW + 2, 4), 1.5f);
        Fill(canvas, paint, p.Shoes, SKRect.Create(rightLeg.Left - 1, f.Feet - 4, legW + 2, 4), 1.5f);
    }

    private static void DrawSkirt(SKCanvas canvas, SKPaint paint, SKColor color, float cx, float bw, float hip, float legH)
    {
        using var path = new SKPath();
        path.MoveTo(cx - bw, hip - 2);
        path.LineTo(cx + bw, hip - 2);
        path.LineTo(cx + bw * 1.5f, hip + legH * 0.45f);
        path.LineTo(cx - bw * 1.5f, hip + legH * 0.45f);
        path.Close();
        paint.Color = color;
        canvas.DrawPath(path, paint);
    }

    /// <summary>Arms (one in the side view): sleeve in the upper (or jacket) colour, skin below.</summary>
    private static void DrawArms(SKCanvas canvas, SKPaint paint, PersonAppearance p, PersonOutfit o, Figure f, int view)
    {
        float cx = f.Cx, bw = f.BodyW, armW = f.ArmW;
        SKColor sleeve = o.Jacket ? o.JacketColor : o.Upper;
        float armH = f.Hip - f.Shoulder + 6;
        float sleeveH = o.LongSleeves || o.Jacket ? armH - 3 : armH * 0.35f;
        int arms = view == Side ? 1 : 2;
        for (int a = 0; a < arms; a++)
        {
            float x = view == Side ? cx - armW * 0.5f : a == 0 ? cx - bw - armW + 0.5f : cx + bw - 0.5f;
            Fill(canvas, paint, p.Skin, SKRect.Create(x, f.Shoulder + 1, armW, armH), 2);
            Fill(canvas, paint, sleeve, SKRect.Create(x, f.Shoulder + 1, armW, sleeveH), 2);
        }
    }

    /// <summary>The torso in the upper colour with its pattern (stripes, checks or a logo) clipped to it; returns the torso.</summary>
    private static SKRect DrawTorso(SKCanvas canvas, SKPaint paint, PersonOutfit o, Figure f, int view)
    {
        float cx = f.Cx, bw = f.BodyW, shoulder = f.Shoulder;
        var torso = new SKRect(cx - bw, shoulder, cx + bw, f.Hip + 1);
        Fill(canvas, paint, o.Upper, torso, 3);
        canvas.Save();
        canvas.ClipRect(torso);
        paint.Color = o.PatternColor;
        switch (o.UpperPattern)
        {
            case PersonAppearance.PatternStripes:
                for (float y = torso.Top + 2; y < torso.Bottom; y += 5) canvas.DrawRect(torso.Left, y, torso.Width, 2, paint);
                break;
            case PersonAppearance.PatternChecks:
                for (float y = torso.Top + 2; y < torso.Bottom; y += 6) canvas.DrawRect(torso.Left, y, torso.Width, 1.5f, paint);
                for (float x = torso.Left + 2; x < torso.Right; x += 6) canvas.DrawRect(x, torso.Top, 1.5f, torso.Height, paint);
                break;
            case PersonAppearance.PatternLogo:
                if (view == Back) canvas.DrawRect(cx - 5, shoulder + 6, 10, 8, paint);
                else canvas.DrawCircle(view == Side ? cx : cx - bw * 0.35f, shoulder + 9, 4, paint);
                break;
        }
        canvas.Restore();
        return torso;
    }

    /// <summary>An open jacket from the front (two panels), a closed one from the back and side.</summary>
    private static void DrawJacket(SKCanvas canvas, SKPaint paint, PersonOutfit o, Figure f, SKRect torso, int view)
    {
        if (!o.Jacket) return;
        if (view == Front)
        {
            Fill(canvas, paint, o.JacketColor, new SKRect(torso.Left, torso.Top, f.Cx - f.BodyW * 0.3f, torso.Bottom), 2);
            Fill(canvas, paint, o.JacketColor, new SKRect(f.Cx + f.BodyW * 0.3f, torso.Top, torso.Right, torso.Bottom), 2);
        }
        else Fill(canvas, paint, o.JacketColor, torso, 3);
    }

    /// <summary>A backpack (its body from the back, its straps from the front) or a shoulder bag with its strap.</summary>
    private static void DrawBag(SKCanvas canvas, SKPaint paint, PersonAppearance p, Figure f, int view)
    {
        float cx = f.Cx, bw = f.BodyW, shoulder = f.Shoulder, hip = f.Hip;
        if (p.Bag == PersonAppearance.BagBackpack)
        {
            if (view == Back) Fill(canvas, paint, p.BagColor, new SKRect(cx - bw * 0.75f, shoulder + 3, cx + bw * 0.75f, hip - 2), 3);
            else if (view == Front)
            {
                Fill(canvas, paint, p.BagColor, SKRect.Create(cx - bw * 0.6f, shoulder, 2.5f, (hip - shoulder) * 0.6f), 1);
                Fill(canvas, paint, p.BagColor, SKRect.Create(cx + bw * 0.6f - 2.5f, shoulder, 2.5f, (hip - shoulder) * 0.6f), 1);
            }
        }
        else if (p.Bag == PersonAppearance.BagShoulder)
        {
            // Which side the bag hangs on swaps between front and back views, as it does in reality.
            bool left = p.BagOnLeft ^ (view == Back);
            float bx = view == Side ? cx - 4 : left ? cx - bw - f.ArmW - 6 : cx + bw + f.ArmW - 3;
            paint.Color = p.BagColor;
            paint.StrokeWidth = 1.5f;
            canvas.DrawLine(left ? cx + bw * 0.6f : cx - bw * 0.6f, shoulder, bx + 4, hip - 4, paint);
            Fill(canvas, paint, p.BagColor, SKRect.Create(bx, hip - 6, 9, 10), 1.5f);
        }
    }

    /// <summary>The face and the hair as the view shows them (all hair from the back, a fringe from the front, a side part from the side).</summary>
    private static void DrawHead(SKCanvas canvas, SKPaint paint, PersonAppearance p, Figure f, int view)
    {
        float cx = f.Cx, headR = f.HeadR, headY = f.HeadY;
        paint.Color = p.Skin;
        canvas.DrawOval(cx, headY, headR * 0.9f, headR, paint);
        paint.Color = p.Hair;
        if (view == Back)
        {
            canvas.DrawOval(cx, headY, headR * 0.95f, headR * 1.02f, paint);
            if (p.LongHair) Fill(canvas, paint, p.Hair, SKRect.Create(cx - headR * 0.95f, headY, 2 * headR * 0.95f, headR + 10), 3);
        }
        else
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(0, 0, FrameWidth, headY - headR * (view == Side ? 0.1f : 0.35f)));
            canvas.DrawOval(cx, headY, headR * 0.95f, headR * 1.05f, paint);
            canvas.Restore();
            if (view == Side) canvas.DrawOval(cx + headR * 0.45f, headY, headR * 0.5f, headR * 0.9f, paint);
            if (p.LongHair && view == Side) Fill(canvas, paint, p.Hair, SKRect.Create(cx + headR * 0.2f, headY, headR * 0.8f, headR + 9), 2);
        }
    }

    private static void DrawHat(SKCanvas canvas, SKPaint paint, PersonAppearance p, Figure f, int view)
    {
        if (!p.Hat) return;
        float cx = f.Cx, headR = f.HeadR, headY = f.HeadY;
        paint.Color = p.HatColor;
        canvas.DrawRect(cx - headR, headY - headR * 1.1f, 2 * headR, headR * 0.75f, paint);
        canvas.DrawRect(view == Side ? cx - headR * 1.6f : cx - headR * 1.25f, headY - headR * 0.45f,
            view == Side ? headR * 1.6f : headR * 2.5f, 1.6f, paint);
    }

    private static void Fill(SKCanvas canvas, SKPaint paint, SKColor color, SKRect rect, float radius)
    {
        paint.Color = color;
        canvas.DrawRoundRect(rect, radius, radius, paint);
    }
}
