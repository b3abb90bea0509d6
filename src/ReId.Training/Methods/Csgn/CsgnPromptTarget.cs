using ReId.Training.Augmentation;
using ReId.Training.Models;
using static TorchSharp.torch;

namespace ReId.Training.Methods.Csgn;

/// <summary>
/// One of CSGN's prompt banks as the prompt-learning stage sees it: the ViT projections of the images (the grey bank:
/// of their <see cref="GreyView"/>) against the text features of that bank's prompts.
/// </summary>
public sealed class CsgnPromptTarget(CsgnNetwork network, CsgnPromptBank bank, Normalization normalization) : IPromptLearningTarget
{
    /// <inheritdoc/>
    public nn.Module Prompts => network.Mdg!.Learner(bank);

    /// <inheritdoc/>
    public Tensor ImageFeatures(Tensor images)
    {
        if (bank == CsgnPromptBank.Rgb) return network.ImageFeatures(images);
        using var grey = GreyView.Of(images, normalization);
        return network.ImageFeatures(grey);
    }

    /// <inheritdoc/>
    public Tensor TextFeatures(Tensor labels) => network.Mdg!.TextFeatures(bank, labels);
}
