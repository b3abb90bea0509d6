namespace ReId.MLNet.Pipelines;

/// <summary>
/// The camera (or view) ids a model's embeddings were trained on, in ascending order. A model with camera or view
/// embeddings is fed an id's position in this list, never the id itself, so datasets that number cameras from 1,
/// from 0 or with gaps all index the embedding table the same way.
/// </summary>
public sealed class SortedIdIndex
{
    /// <summary>What a model is fed for an id it was not trained on: models exported by ReId.Training then add no camera (view) term.</summary>
    public const long Unknown = -1;

    private readonly int[] _ids;

    /// <summary>Builds the index from any ids (duplicates and order do not matter).</summary>
    public SortedIdIndex(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _ids = ids.Distinct().Order().ToArray();
        if (_ids.Length == 0)
            throw new ArgumentException("At least one id is needed.", nameof(ids));
    }

    /// <summary>The distinct ids, ascending.</summary>
    public IReadOnlyList<int> Ids => _ids;

    /// <summary>The position of <paramref name="id"/>, or <see cref="Unknown"/> when the model was not trained on it.</summary>
    public long IndexOf(int id)
    {
        int i = Array.BinarySearch(_ids, id);
        return i >= 0 ? i : Unknown;
    }
}
