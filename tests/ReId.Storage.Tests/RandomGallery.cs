namespace ReId.Storage.Tests;

/// <summary>Seeded random embeddings for the store tests.</summary>
internal static class RandomGallery
{
    public static float[] Rows(int rows, int dim, int seed, bool unit = false)
    {
        var random = new Random(seed);
        var data = new float[rows * dim];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        if (unit)
            for (int r = 0; r < rows; r++)
            {
                var row = data.AsSpan(r * dim, dim);
                float norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row));
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        return data;
    }

    public static int[] Ints(int count, int max, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(max))];
    }

    public static GalleryRows WithMetadata(float[] features, int rows, int seed, DateTimeOffset? start = null)
    {
        var ids = Ints(rows, 20, seed);
        var cams = Ints(rows, 4, seed + 1);
        var t0 = start ?? new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        return new GalleryRows(features, [.. Enumerable.Range(0, rows).Select(i => $"img/{seed}/{i:D6}.jpg")], ids, [.. cams.Select(c => (int?)c)],
            [.. Enumerable.Range(0, rows).Select(i => (DateTimeOffset?)t0.AddMinutes(i))], [.. Enumerable.Range(0, rows).Select(i => (int?)(i / 5))]);
    }
}
