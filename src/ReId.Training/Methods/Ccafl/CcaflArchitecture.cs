using System.Text.Json;
using ReId.Training.Models.Backbones;
using ReId.Training.Models.Text;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// The shape of a CCAFL network as built (from CLIP weights or settings), recorded in checkpoints so that a checkpoint can
/// be evaluated or resumed without the CLIP file and vocabulary.
/// </summary>
public sealed record CcaflArchitecture
{
    /// <summary>The ViT image encoder's options, when the encoder is a ViT.</summary>
    public ClipVisionOptions? Vision { get; init; }

    /// <summary>The ModifiedResNet image encoder's options, when the encoder is a ResNet.</summary>
    public ClipResNetOptions? ResNet { get; init; }

    /// <summary>The text encoder's options; null without prompts.</summary>
    public ClipTextOptions? Text { get; init; }

    /// <summary>Token ids of the prompt template (BPE ids with a vocabulary, placeholders without).</summary>
    public long[] PromptIds { get; init; } = [];

    /// <summary>Position of the first learnt token in <see cref="PromptIds"/>.</summary>
    public int PromptPrefixLength { get; init; }

    /// <summary>Reads a recorded architecture.</summary>
    public static CcaflArchitecture Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<CcaflArchitecture>(json) ?? throw new InvalidDataException("the recorded CCAFL architecture is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the recorded CCAFL architecture is not valid: {e.Message}", e);
        }
    }
}
