using Microsoft.ML;
using Microsoft.ML.Data;

namespace ReId.MLNet.Pipelines;

/// <summary>Copies a fixed-size float-vector column of a transformed view into one row-major array, reporting progress.</summary>
internal static class EmbeddingColumnReader
{
    public static float[] Read(IDataView view, string columnName, int rows, int size, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var result = new float[(long)rows * size];
        var column = view.Schema[columnName];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            getter(ref buffer);
            buffer.CopyTo(result.AsSpan((int)(row * size), size));
            row++;
            if (progress is not null && (row % 64 == 0 || row == rows))
                progress.Report((row, rows));
        }
        return result;
    }
}
