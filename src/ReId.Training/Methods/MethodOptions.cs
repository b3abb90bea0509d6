using System.Text.Json.Serialization;

namespace ReId.Training.Methods;

/// <summary>
/// The typed settings section of one method (<c>--set KEY.name=value</c>, listed by <c>--list</c>). Subclasses declare
/// settable properties with a <see cref="System.ComponentModel.DescriptionAttribute"/> each, and check them in <see cref="Validate"/>.
/// </summary>
public abstract class MethodOptions
{
    /// <summary>Section name used before the dot in <c>--set</c> keys (for example "senet").</summary>
    [JsonIgnore]
    public abstract string Key { get; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the key (<c>senet.groups</c>) of the first bad value.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>A deep copy (recipes hand out copies; overrides never leak into the registry).</summary>
    public virtual MethodOptions Clone() => (MethodOptions)MemberwiseClone();
}
