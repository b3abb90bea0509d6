using static TorchSharp.torch;

namespace ReId.Training.Models;

/// <summary>
/// A network with learnable text prompts that a prompt-learning stage can train: frozen image features of a batch, the
/// text features of labels' prompts, and the module holding the prompt parameters.
/// </summary>
public interface IPromptLearningTarget
{
    /// <summary>The module whose parameters the stage trains (the prompt tokens).</summary>
    nn.Module Prompts { get; }

    /// <summary>Image features [B, D] the prompts are matched against (computed once per image, without gradients).</summary>
    Tensor ImageFeatures(Tensor images);

    /// <summary>Text features [B, D] of the prompts of <paramref name="labels"/> [B].</summary>
    Tensor TextFeatures(Tensor labels);
}
