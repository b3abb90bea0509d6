using ReId.Training.Models;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Ccafl;

/// <summary>
/// CCAFL's stage 1 as the prompt-learning stage sees it: the frozen image projections against the text features of one
/// prompt per intra-camera identity.
/// </summary>
public sealed class CcaflPromptTarget(CcaflNetwork network) : IPromptLearningTarget
{
    /// <inheritdoc/>
    public nn.Module Prompts => network.Prompt ?? throw new InvalidOperationException("this CCAFL network has no prompts (ccafl.prompts=false)");

    /// <inheritdoc/>
    public Tensor ImageFeatures(Tensor images) => network.ImageProjection(images);

    /// <inheritdoc/>
    public Tensor TextFeatures(Tensor labels) => network.TextFeatures(labels);
}
