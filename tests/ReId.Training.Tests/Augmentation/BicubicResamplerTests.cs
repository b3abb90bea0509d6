using ReId.Training.Augmentation;

namespace ReId.Training.Tests.Augmentation;

public sealed class BicubicResamplerTests
{
    private static byte[] Pattern(int h, int w)
    {
        var b = new byte[h * w * 3];
        for (int y = 0, i = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    b[i++] = (byte)((x * 37 + y * 101 + c * 59 + (x * y) % 13 * 11) % 256);
        return b;
    }

    // Pillow 9.4 (Debian 12's python3-pil): Image.frombytes("RGB", (w, h), pattern).resize((nw, nh), Image.BICUBIC).tobytes()
    private static readonly byte[] Pillow13x7To5x9 =
    [
        88, 82, 154, 73, 125, 109, 92, 115, 103, 137, 84, 144, 162, 117, 176, 115, 165, 94, 140, 163, 99, 160, 135, 146, 135, 116, 178, 140, 111, 87, 135, 102, 142,
        131, 139, 138, 118, 178, 123, 87, 141, 207, 100, 134, 164, 161, 123, 110, 165, 102, 107, 99, 82, 151, 159, 161, 134, 149, 100, 123, 111, 99, 114, 74, 142, 115,
        80, 139, 133, 135, 119, 183, 130, 97, 167, 123, 122, 112, 141, 180, 66, 131, 145, 82, 107, 150, 111, 86, 146, 120, 68, 128, 109, 48, 107, 84, 150, 146, 72, 173,
        121, 123, 146, 124, 177, 110, 183, 202, 162, 158, 119, 169, 128, 162, 124, 121, 197, 76, 138, 177, 92, 151, 64, 107, 177, 64, 100, 121, 108, 99, 75, 146, 114, 87, 151,
    ];

    private static readonly byte[] Pillow40x30To8x6 =
    [
        121, 126, 135, 131, 121, 131, 124, 138, 133, 119, 119, 119, 137, 122, 122, 128, 134, 131, 111, 130, 123, 126, 129, 142, 125, 125, 137, 130, 115, 138, 136, 128,
        108, 150, 113, 133, 119, 140, 126, 119, 104, 128, 126, 115, 137, 129, 119, 132, 130, 114, 118, 120, 126, 134, 124, 130, 126, 123, 125, 127, 129, 114, 133, 117,
        131, 138, 116, 127, 122, 117, 126, 127, 113, 146, 112, 114, 122, 125, 137, 120, 110, 99, 129, 112, 125, 111, 132, 143, 113, 150, 134, 137, 126, 118, 110, 139,
        136, 137, 123, 122, 127, 125, 120, 116, 135, 127, 119, 138, 129, 124, 135, 118, 127, 131, 118, 124, 130, 118, 139, 120, 127, 117, 121, 117, 119, 114, 147, 106,
        129, 100, 129, 158, 113, 133, 127, 116, 142, 119, 111, 118, 132, 121, 140, 117,
    ];

    [Fact]
    public void MatchesPillowExactlyWhenShrinkingOneSideAndGrowingTheOther() =>
        Assert.Equal(Pillow13x7To5x9, BicubicResampler.Resize(Pattern(13, 7), 13, 7, 5, 9));

    [Fact]
    public void MatchesPillowExactlyWhenShrinkingWithAntialiasing() =>
        Assert.Equal(Pillow40x30To8x6, BicubicResampler.Resize(Pattern(40, 30), 40, 30, 8, 6));

    [Fact]
    public void AConstantImageStaysConstantAndTheSameSizeIsACopy()
    {
        var flat = Enumerable.Repeat((byte)77, 9 * 5 * 3).ToArray();
        Assert.All(BicubicResampler.Resize(flat, 9, 5, 20, 3), v => Assert.Equal(77, v));
        var p = Pattern(6, 4);
        Assert.Equal(p, BicubicResampler.Resize(p, 6, 4, 6, 4));
    }

    [Fact]
    public void AWrongBufferLengthIsRejected() =>
        Assert.Throws<ArgumentException>(() => BicubicResampler.Resize(new byte[10], 2, 2, 4, 4));
}
