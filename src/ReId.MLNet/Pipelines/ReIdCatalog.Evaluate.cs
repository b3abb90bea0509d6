using ReId.MLNet.Data;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using ReId.MLNet.Evaluation;
using ReId.MLNet.Features;

namespace ReId.MLNet.Pipelines;

public sealed partial class ReIdCatalog
{
    /// <summary>CMC, mAP and mINP of query against gallery rows of IDataViews that carry an embedding column and integer identity/camera
    /// (and, for the clothes-changing protocols, clothes) columns — for example the output of a fitted ReIdEmbed pipeline.</summary>
    public ReIdMetrics Evaluate(IDataView query, IDataView gallery, string featureColumnName = ReIdColumnNames.Features, string identityColumnName = ReIdColumnNames.Identity,
        string cameraColumnName = ReIdColumnNames.Camera, string? clothesColumnName = null, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(gallery);
        var q = Read(query, "query", featureColumnName, identityColumnName, cameraColumnName, clothesColumnName);
        var g = Read(gallery, "gallery", featureColumnName, identityColumnName, cameraColumnName, clothesColumnName);
        return FeatureEvaluation.Evaluate(q, g, options);
    }

    private static FeatureSet Read(IDataView view, string role, string featureColumn, string idColumn, string camColumn, string? clothesColumn)
    {
        var schema = view.Schema;
        var f = schema.GetColumnOrNull(featureColumn) ?? throw new ArgumentException($"{role} data has no feature column '{featureColumn}'");
        if (f.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n.RawType != typeof(float))
            throw new ArgumentException($"{role} column '{featureColumn}' is {f.Type}; expected a vector of float");
        var id = schema.GetColumnOrNull(idColumn) ?? throw new ArgumentException($"{role} data has no identity column '{idColumn}'");
        var cam = schema.GetColumnOrNull(camColumn) ?? throw new ArgumentException($"{role} data has no camera column '{camColumn}'");
        DataViewSchema.Column? clothes = clothesColumn is null ? null
            : schema.GetColumnOrNull(clothesColumn) ?? throw new ArgumentException($"{role} data has no clothes column '{clothesColumn}'");
        var columns = new List<DataViewSchema.Column> { f, id, cam };
        if (clothes is { } c) columns.Add(c);
        using var cursor = view.GetRowCursor(columns);
        var getF = cursor.GetGetter<VBuffer<float>>(f);
        var getId = IntegerColumn.Getter(cursor, id);
        var getCam = IntegerColumn.Getter(cursor, cam);
        var getClothes = clothes is { } cc ? IntegerColumn.Getter(cursor, cc) : null;
        var features = new List<float>();
        var ids = new List<int>();
        var cams = new List<int>();
        var clothesIds = new List<int>();
        int dim = -1;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getF(ref buffer);
            if (dim < 0) dim = buffer.Length;
            else if (buffer.Length != dim) throw new InvalidDataException($"{role} row {ids.Count + 1}: '{featureColumn}' has {buffer.Length} values, earlier rows {dim}");
            features.AddRange(buffer.DenseValues());
            ids.Add(getId());
            cams.Add(getCam());
            if (getClothes is not null) clothesIds.Add(getClothes());
        }
        if (ids.Count == 0) throw new ArgumentException($"{role} data has no rows");
        FiniteValues.ThrowIfNonFinite(CollectionsMarshal.AsSpan(features), dim, $"{role} column '{featureColumn}'");
        return new FeatureSet([.. features], ids.Count, dim, [.. Enumerable.Repeat("", ids.Count)], [.. ids], [.. cams], getClothes is null ? null : [.. clothesIds]);
    }
}
