using System.Text.Json;
using System.Text.Json.Nodes;
using ReId.MLNet.IO;
using ReId.Training.Methods;

namespace ReId.Training.Recipes;

/// <summary>
/// Reads and writes a run's <c>settings.json</c>: the shared settings, and the method's section under <c>"section"</c>
/// (typed by the method on reading, so a run folder alone says how to rebuild its network).
/// </summary>
public static class TrainingOptionsFile
{
    private const string SectionProperty = "section";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="options"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TrainingOptions options)
    {
        var node = JsonSerializer.SerializeToNode(options, Json)!.AsObject();
        if (options.Section is { } section) node[SectionProperty] = JsonSerializer.SerializeToNode(section, section.GetType(), Json);
        AtomicFile.WriteAllText(path, node.ToJsonString(Json));
    }

    /// <summary>Reads a settings file; errors name the file.</summary>
    public static TrainingOptions Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"settings file '{path}' does not exist", path);
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"settings file '{path}' is empty");
            var sectionNode = node[SectionProperty];
            node.Remove(SectionProperty);
            var options = node.Deserialize<TrainingOptions>(Json) ?? throw new InvalidDataException($"settings file '{path}' is empty");
            var section = TrainingMethods.Get(options.Method).CreateSection();
            if (section is not null && sectionNode is not null)
                section = (MethodOptions?)sectionNode.Deserialize(section.GetType(), Json) ?? section;
            options.Section = section;
            return options;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"settings file '{path}' is not valid: {e.Message}", e);
        }
    }
}
