using System.Text.Json;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// The shape of a CSGN network as built (from CLIP weights or settings), recorded in checkpoints so that a checkpoint can
/// be evaluated or resumed without the CLIP files and the vocabulary.
/// </summary>
public sealed record CsgnArchitecture
{
    public required ClipResNetOptions ResNet { get; init; }
    public required ClipVisionOptions Vision { get; init; }

    /// <summary>The text encoder's options; null when the network has no prompt banks.</summary>
    public ClipTextOptions? Text { get; init; }

    /// <summary>Token ids of the prompt template.</summary>
    public long[] PromptIds { get; init; } = [];

    /// <summary>Position of the first learnt token in <see cref="PromptIds"/>.</summary>
    public int PromptPrefixLength { get; init; }

    /// <summary>Reads a recorded architecture.</summary>
    public static CsgnArchitecture Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<CsgnArchitecture>(json) ?? throw new InvalidDataException("the recorded CSGN architecture is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the recorded CSGN architecture is not valid: {e.Message}", e);
        }
    }
}
