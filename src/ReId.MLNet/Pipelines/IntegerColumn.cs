using Microsoft.ML;
using Microsoft.ML.Data;

namespace ReId.MLNet.Pipelines;

/// <summary>Reads an id column of any common integer-valued type as int (ML.NET loaders often produce float or key columns).</summary>
internal static class IntegerColumn
{
    public static Func<int> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case NumberDataViewType n when n.RawType == typeof(int):
                { var g = cursor.GetGetter<int>(column); return () => { int v = 0; g(ref v); return v; }; }
            case NumberDataViewType n when n.RawType == typeof(long):
                { var g = cursor.GetGetter<long>(column); return () => { long v = 0; g(ref v); return checked((int)v); }; }
            case NumberDataViewType n when n.RawType == typeof(float):
                {
                    var g = cursor.GetGetter<float>(column);
                    return () => { float v = 0; g(ref v); return (int)v == v ? (int)v : throw new InvalidDataException($"column '{column.Name}' holds {v}, not an integer id"); };
                }
            case NumberDataViewType n when n.RawType == typeof(double):
                {
                    var g = cursor.GetGetter<double>(column);
                    return () => { double v = 0; g(ref v); return (int)v == v ? (int)v : throw new InvalidDataException($"column '{column.Name}' holds {v}, not an integer id"); };
                }
            case NumberDataViewType n when n.RawType == typeof(uint):
            case KeyDataViewType:
                { var g = cursor.GetGetter<uint>(column); return () => { uint v = 0; g(ref v); return checked((int)v); }; }
            default:
                throw new ArgumentException($"column '{column.Name}' has type {column.Type}; expected an integer id column");
        }
    }
}
