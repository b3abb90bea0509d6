using System.Text.Json;
using ReId.Training.Models.Backbones;

namespace ReId.Training.Methods.ClipSeNet;

/// <summary>SEM's shape as built (from CLIP weights or settings), recorded in checkpoints so a run is evaluated or resumed without the CLIP file.</summary>
public sealed record ClipSeNetArchitecture
{
    /// <summary>SEM's ViT options, when SEM is a ViT.</summary>
    public ClipVisionOptions? Vision { get; init; }

    /// <summary>SEM's ModifiedResNet options, when SEM is a ResNet.</summary>
    public ClipResNetOptions? ResNet { get; init; }

    /// <summary>Reads a recorded architecture.</summary>
    public static ClipSeNetArchitecture Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ClipSeNetArchitecture>(json) ?? throw new InvalidDataException("the recorded CLIP-SENet architecture is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the recorded CLIP-SENet architecture is not valid: {e.Message}", e);
        }
    }
}
