using ReId.Training.Augmentation;

namespace ReId.Training.Tests.Augmentation;

public sealed class TransformTests
{
    // 2×3 image; value = channel·100 + y·10 + x, so every pixel is identifiable.
    private static ImageTensor Tiny()
    {
        var image = new ImageTensor(2, 3);
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < 2; y++)
            {
                for (int x = 0; x < 3; x++)
                {
                    image.Data[c * 6 + y * 3 + x] = c * 100 + y * 10 + x;
                }
            }
        }

        return image;
    }

    [Fact]
    public void FlipMirrorsEveryRow()
    {
        var image = RandomHorizontalFlip.Flip(Tiny());
        Assert.Equal([2f, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110, 202, 201, 200, 212, 211, 210], image.Data);
    }

    [Fact]
    public void FlipProbabilityOneAlwaysAndZeroNeverFlips()
    {
        Assert.Equal(2f, new RandomHorizontalFlip(1).Apply(Tiny(), new Random(1)).Data[0]);
        Assert.Equal(0f, new RandomHorizontalFlip(0).Apply(Tiny(), new Random(1)).Data[0]);
    }

    [Fact]
    public void PadCropShiftsContentAndFillsZeros()
    {
        // Padding 1, window at (top 0, left 2): row 0 is padding, row 1 = source row 0 shifted left by one, right column padding.
        var image = PadRandomCrop.Crop(Tiny(), 1, 0, 2);
        Assert.Equal([0f, 0, 0, 1, 2, 0], image.Data[..6]);
        Assert.Equal([0f, 0, 0, 101, 102, 0], image.Data[6..12]);
        // The centred window is the identity.
        Assert.Equal(Tiny().Data, PadRandomCrop.Crop(Tiny(), 1, 1, 1).Data);
    }

    [Fact]
    public void EraseFillsTheRectangleWithChannelValues()
    {
        var image = Tiny();
        RandomErasing.Erase(image, 1, 1, 1, 2, [-1f, -2f, -3f]);
        Assert.Equal([0f, 1, 2, 10, -1, -1], image.Data[..6]);
        Assert.Equal([200f, 201, 202, 210, -3, -3], image.Data[12..]);
    }

    [Fact]
    public void RandomErasingKeepsAreaAndAspectInRange()
    {
        var erasing = new RandomErasing(1.0, fill: ErasingFill.ChannelMean, mean: [-5f, -5f, -5f]);
        for (int seed = 0; seed < 20; seed++)
        {
            var image = new ImageTensor(40, 20);
            erasing.Apply(image, new Random(seed));
            int erased = image.Plane(0).ToArray().Count(v => v == -5f);
            Assert.InRange(erased, 1, (int)(0.4 * 800 * 1.3));
        }
    }

    [Fact]
    public void NormalisationValuesHandChecked()
    {
        var image = new ImageTensor(1, 1);
        image.Data[0] = 0.485f + 0.229f;
        image.Data[1] = 0.456f;
        image.Data[2] = 0f;
        Normalization.ImageNet.Apply(image, new Random(0));
        Assert.Equal(1f, image.Data[0], 5);
        Assert.Equal(0f, image.Data[1], 5);
        Assert.Equal(-0.406f / 0.225f, image.Data[2], 5);
        var half = new ImageTensor(1, 1);
        half.Data.AsSpan().Fill(1f);
        Normalization.FromName("half").Apply(half, new Random(0));
        Assert.All(half.Data, v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentException>(() => Normalization.FromName("nope"));
    }

    [Fact]
    public void GrayscaleUsesLumaWeights()
    {
        var image = new ImageTensor([1f, 0f, 0f], 1, 1);
        RandomGrayscale.ToGray(image);
        Assert.All(image.Data, v => Assert.Equal(0.299f, v, 6));
    }

    [Fact]
    public void ColorJitterIdentityFactorsChangeNothingAndBrightnessScales()
    {
        var image = new ImageTensor([0.2f, 0.4f, 0.6f, 0.1f, 0.3f, 0.5f], 1, 2);
        ColorJitter.Adjust(image, 1, 1, 1, 0);
        float[] original = [0.2f, 0.4f, 0.6f, 0.1f, 0.3f, 0.5f];
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(original[i], image.Data[i], 5);
        }

        ColorJitter.Adjust(image, 0.5f, 1, 1, 0);
        Assert.Equal(0.1f, image.Data[0], 6);
        // Saturation 0 makes every channel the luma; a full-turn hue shift is the identity.
        var gray = ColorJitter.Adjust(new ImageTensor([0.2f, 0.4f, 0.6f], 1, 1), 1, 1, 0, 0);
        Assert.All(gray.Data, v => Assert.Equal(0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f, v, 5));
        var turned = ColorJitter.Adjust(new ImageTensor([0.2f, 0.4f, 0.6f], 1, 1), 1, 1, 1, 1);
        Assert.Equal(0.2f, turned.Data[0], 2);
        Assert.Equal(0.6f, turned.Data[2], 2);
    }
}
